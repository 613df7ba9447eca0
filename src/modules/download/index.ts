/** What other modules may use of the download module. */
export { DownloadModule } from './download.module.js';
export { MediaSourceService, type AcquiredMedia, type MediaRequest } from './media-source.service.js';
