// The palette commands. Their ids differ from the server's executeCommand ids on purpose:
// vscode-languageclient registers every command the server advertises as a VS Code command of
// the same id, and VS Code refuses a second registration ("command ... already exists").
// The handlers take the editor and the server as parameters, so they run under node:test.
import { parseSaveResult, parseSearchHits, parseVersions, saveArgs, searchArgs, SERVER_COMMANDS, versionsArgs,
    type SearchHit, type ServerCommandId, type SkillVersion } from './protocol';
import { noFileMessage, savedMessage, searchHitItem, subjectLabel, versionItem, type PickItem } from './results';

/** Client-side command ids (package.json `contributes.commands`). */
export const CLIENT_COMMANDS = {
    search: 'autoskill.search',
    save: 'autoskill.save',
    versions: 'autoskill.versions',
    restart: 'autoskill.restart',
} as const;

/** How many results the search quick pick asks for. */
export const SEARCH_TOP_K = 20;

export interface Ui {
    inputBox(options: { prompt: string; placeHolder?: string; value?: string }): Promise<string | undefined>;
    quickPick<T>(items: PickItem<T>[], options: { title: string; placeHolder?: string }): Promise<PickItem<T> | undefined>;
    info(message: string): Promise<unknown>;
    error(message: string): Promise<unknown>;
    openFile(fsPath: string): Promise<unknown>;
    /** URI (as a string) of the active editor's document when it is a SKILL.md, else undefined. */
    activeSkillUri(): string | undefined;
}

/** Sends `workspace/executeCommand` to the (started) language server; rejects on LSP errors. */
export type ServerCall = (command: ServerCommandId, args: unknown[]) => Promise<unknown>;

export function errorText(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

/** Runs a command body and turns any failure into one error message, never an unhandled rejection. */
async function reporting(ui: Ui, what: string, body: () => Promise<void>): Promise<void> {
    try {
        await body();
    } catch (err) {
        await ui.error(`autoskill: ${what} failed: ${errorText(err)}`);
    }
}

export async function searchSkills(ui: Ui, call: ServerCall): Promise<SearchHit | undefined> {
    let chosen: SearchHit | undefined;
    await reporting(ui, 'search', async () => {
        const query = (await ui.inputBox({ prompt: 'Search the skill store', placeHolder: 'e.g. write a commit message' }))?.trim();
        if (!query) { return; }
        const hits = parseSearchHits(await call(SERVER_COMMANDS.searchSkills, searchArgs(query, SEARCH_TOP_K)));
        if (hits.length === 0) {
            await ui.info(`autoskill: no skills match "${query}"`);
            return;
        }
        const pick = await ui.quickPick(hits.map(searchHitItem), { title: `Skills for "${query}"`, placeHolder: 'Open a skill' });
        if (pick === undefined) { return; }
        chosen = pick.value;
        if (chosen.path === null) {
            await ui.info(noFileMessage(chosen));
        } else {
            await ui.openFile(chosen.path);
        }
    });
    return chosen;
}

/** `target` is the URI given by an explorer/editor context menu; the palette passes nothing. */
export async function saveToStore(ui: Ui, call: ServerCall, target?: string): Promise<void> {
    await reporting(ui, 'saving to the store', async () => {
        const uri = target ?? ui.activeSkillUri();
        if (uri === undefined) {
            await ui.error('autoskill: open a SKILL.md file to save it to the store');
            return;
        }
        const result = parseSaveResult(await call(SERVER_COMMANDS.saveToStore, saveArgs(uri)));
        await ui.info(savedMessage(result));
    });
}

export async function showVersions(ui: Ui, call: ServerCall, target?: string): Promise<SkillVersion | undefined> {
    let chosen: SkillVersion | undefined;
    await reporting(ui, 'listing versions', async () => {
        const subject = target ?? ui.activeSkillUri()
            ?? (await ui.inputBox({ prompt: 'Skill id or name', placeHolder: 'e.g. git-commit-messages' }))?.trim();
        if (!subject) { return; }
        const versions = parseVersions(await call(SERVER_COMMANDS.showVersions, versionsArgs(subject)));
        const shown = subjectLabel(subject);
        if (versions.length === 0) {
            await ui.info(`autoskill: no versions recorded for ${shown}`);
            return;
        }
        const pick = await ui.quickPick(versions.map(versionItem), { title: `Versions of ${shown} (newest first)` });
        chosen = pick?.value;
    });
    return chosen;
}
