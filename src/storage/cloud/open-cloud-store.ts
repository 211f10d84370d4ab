import type { Database } from '../database.js';
import type { CloudSettings } from './cloud-settings.js';
import { CloudStore } from './cloud-store.js';
import { LocalFolderBackend } from './local-folder-backend.js';

/** The Cloud store on S3-compatible storage when S3_BUCKET is set (its client loaded only then), else in a local folder. */
export async function openCloudStore(settings: CloudSettings, database: Database): Promise<CloudStore> {
  if (settings.s3) {
    const { S3Backend } = await import('./s3-backend.js');
    return new CloudStore(new S3Backend(settings.s3), database, settings);
  }
  const local = new LocalFolderBackend(settings.dir);
  await local.start();
  return new CloudStore(local, database, settings);
}
