/** What other modules may use of the preview module. */
export { PreviewModule } from './preview.module.js';
