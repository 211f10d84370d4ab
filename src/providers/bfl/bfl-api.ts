/** Black Forest Labs' API (api.bfl.ai): a task is submitted, then polled until its result is ready. */

/** `POST /v1/{model}` answer. */
export interface BflSubmitAnswer {
  id: string;
  polling_url?: string;
}

/** `GET {polling_url}` answer; `result.sample` is a short-lived signed URL of the image. */
export interface BflResultAnswer {
  id?: string;
  status: 'Task not found' | 'Pending' | 'Request Moderated' | 'Content Moderated' | 'Ready' | 'Error' | string;
  result?: { sample?: string } | null;
  progress?: number | null;
  details?: unknown;
}

/** A failed request: FastAPI's validation shape (`detail` list) or a message. */
export interface BflErrorBody {
  detail?: string | Array<{ loc?: unknown[]; msg?: string }>;
  message?: string;
}
