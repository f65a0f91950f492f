// How the two Python servers are started: the same interpreter and environment for both, so
// the language server and the MCP server always see the same store.
import { initializationOptions, InitializationOptions, serverEnv, type AutoskillSettings } from './settings';

export type ServerMode = 'lsp' | 'mcp';

export interface Launch {
    command: string;
    args: string[];
    /** Variables to add to the inherited environment (never the whole environment). */
    env: Record<string, string>;
}

export function serverLaunch(python: string, mode: ServerMode, settings: AutoskillSettings): Launch {
    return {
        command: python,
        args: ['-m', 'autoskill_mcp', mode],
        // Unbuffered so log lines on stderr reach the output channel as they happen.
        env: { PYTHONUNBUFFERED: '1', ...serverEnv(settings) },
    };
}

/** Documents the language server handles: any SKILL.md, saved or not, whatever language id VS Code gave it. */
export const DOCUMENT_SELECTOR = [
    { scheme: 'file', pattern: '**/SKILL.md' },
    { scheme: 'untitled', pattern: '**/SKILL.md' },
] as const;

export function isSkillMdPath(fsPathOrUriPath: string): boolean {
    return /(^|[\\/])SKILL\.md$/.test(fsPathOrUriPath);
}

export interface LanguageServerSetup {
    launch: Launch;
    initializationOptions: InitializationOptions;
}

export function languageServerSetup(python: string, settings: AutoskillSettings): LanguageServerSetup {
    return { launch: serverLaunch(python, 'lsp', settings), initializationOptions: initializationOptions(settings) };
}
