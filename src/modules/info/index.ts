/** What other modules may use of the info module. */
export { InfoModule } from './info.module.js';
export { InfoService, type InfoDocument } from './info.service.js';
export { normalizeInfo, platformOf } from './info-normalize.js';
