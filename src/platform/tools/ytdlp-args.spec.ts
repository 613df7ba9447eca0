import { describe, expect, it } from '@jest/globals';
import { pluginDirArgs, pluginPythonPath, ytdlpCommonArgs } from './ytdlp-args.js';

describe('ytdlpCommonArgs', () => {
  it('limits the duration unless the run never touches the media', () => {
    expect(ytdlpCommonArgs({ maxDurationSeconds: 60 })).toEqual(expect.arrayContaining(['--match-filter', 'duration<?60']));
    expect(ytdlpCommonArgs({ maxDurationSeconds: null })).not.toContain('--match-filter');
  });
});

describe('plugin folders', () => {
  it('become --plugin-dirs options, one per folder', () => {
    expect(pluginDirArgs(['/opt/a', '/opt/b'])).toEqual(['--plugin-dirs', '/opt/a', '--plugin-dirs', '/opt/b']);
  });

  it('or lead PYTHONPATH, keeping what it already held', () => {
    expect(pluginPythonPath(['/opt/a', '/opt/b'], undefined)).toBe('/opt/a:/opt/b');
    expect(pluginPythonPath(['/opt/a'], '/usr/lib/extra')).toBe('/opt/a:/usr/lib/extra');
  });
});
