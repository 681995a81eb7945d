import type { JsonObject, SiteBlockRule } from '../../core/index.js';
import { type NavigaSettings, openSettings, sealSettings, settingsProblems } from './settings.js';

/** The Naviga block of a provisioned site: checked beyond its schema, stored with its secrets sealed. */
export const navigaSiteRule: SiteBlockRule = {
  problems: (block) => settingsProblems(block as NavigaSettings),
  stored: (block, previous, sealer) => sealSettings(block as NavigaSettings, previous, sealer),
  opened(stored, sealer) {
    const result = openSettings(stored, sealer);
    return 'settings' in result ? (result.settings as JsonObject) : undefined;
  },
};
