import type { Database } from '../database.js';
import type { CloudSettings } from './cloud-settings.js';
import { CloudStore } from './cloud-store.js';
import { LocalFolderBackend } from './local-folder-backend.js';
import { S3Backend } from './s3-backend.js';

/** The Cloud store on S3-compatible storage when S3_BUCKET is set, else in a local folder. */
export async function openCloudStore(settings: CloudSettings, database: Database): Promise<CloudStore> {
  if (settings.s3) return new CloudStore(new S3Backend(settings.s3), database, settings);
  const local = new LocalFolderBackend(settings.dir);
  await local.start();
  return new CloudStore(local, database, settings);
}
