/**
 * Is the Claude Code plugin `intercom` enabled already? Then an install would make every hook run
 * twice: install says so before writing (doctor checks the same, from its own reading of the files).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLUGIN_NAME } from '../claude/tool-names.js';
import type { Locations } from './paths.js';

export function enabledIntercomPlugins(loc: Locations): string[] {
  const files = [join(loc.configDir, 'settings.json'), ...(loc.projectDir ? [join(loc.projectDir, '.claude', 'settings.json'), join(loc.projectDir, '.claude', 'settings.local.json')] : [])];
  const ids = new Set<string>();
  for (const f of files) {
    try {
      const enabled = (JSON.parse(readFileSync(f, 'utf8').replace(/^\uFEFF/, '')) as { enabledPlugins?: Record<string, unknown> }).enabledPlugins;
      for (const [id, on] of Object.entries(enabled ?? {})) if (on === true && id.startsWith(`${PLUGIN_NAME}@`)) ids.add(id);
    } catch {
      /* missing or not JSON: the installer's own checks report a bad file */
    }
  }
  return [...ids];
}
