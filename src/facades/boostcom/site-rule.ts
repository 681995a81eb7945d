import type { JsonObject, SiteBlockRule } from '../../core/index.js';
import { ClubSettingsError, checkClubSettings } from './club-settings.js';

/** The club settings of a provisioned site (member schema, stores, external tokens…), checked whole. */
export const boostcomSiteRule: SiteBlockRule = {
  problems(block) {
    try {
      checkClubSettings(block, 'club');
      return [];
    } catch (error) {
      if (error instanceof ClubSettingsError) return [error.message];
      throw error;
    }
  },
  stored: (block) => checkClubSettings(block, 'club') as unknown as JsonObject,
  // Club settings hold no secrets: the stored block is the document's.
  opened: (stored) => stored,
};
