// The contract with the Python language server's `workspace/executeCommand` commands.
// Results arrive as untyped JSON, so each one is checked here: a server that drifts from the
// contract produces a clear error naming the field, not a quick pick full of "undefined".

/** Command ids the server implements (and advertises in `executeCommandProvider.commands`). */
export const SERVER_COMMANDS = {
    searchSkills: 'autoskill.searchSkills',
    saveToStore: 'autoskill.saveToStore',
    showVersions: 'autoskill.showVersions',
} as const;

export type ServerCommandId = (typeof SERVER_COMMANDS)[keyof typeof SERVER_COMMANDS];

export interface SearchHit {
    id: string;
    name: string;
    description: string;
    score: number;
    scope: string;
    /** Absolute path of the skill's SKILL.md, or null when the skill has no file on disk. */
    path: string | null;
}

/** The server's save outcome for a hand-written skill (the core's SaveOutcome, save-by-name subset). */
export type SaveAction = 'created' | 'updated' | 'unchanged';

export interface SaveResult {
    id: string;
    name: string;
    version: string;
    action: SaveAction;
    path: string | null;
}

export interface SkillVersion {
    version: string;
    created_at: string;
    /** Why the version was made ("imported", "merged from session …"); empty when the store kept none. */
    reason: string;
    content_hash: string;
}

/** Thrown when a server answer does not have the shape the contract promises. */
export class ContractError extends Error {
    constructor(command: ServerCommandId, detail: string) {
        super(`the language server's ${command} returned an unexpected result: ${detail}`);
        this.name = 'ContractError';
    }
}

export function searchArgs(query: string, topK?: number): unknown[] {
    return topK === undefined ? [query] : [query, topK];
}

export function saveArgs(uri: string): unknown[] {
    return [uri];
}

export function versionsArgs(uriOrIdOrName: string): unknown[] {
    return [uriOrIdOrName];
}

type Field = 'string' | 'number' | 'string|null';

function record(command: ServerCommandId, value: unknown, where: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ContractError(command, `${where} is ${describe(value)}, expected an object`);
    }
    return value as Record<string, unknown>;
}

function list(command: ServerCommandId, value: unknown): unknown[] {
    if (!Array.isArray(value)) {
        throw new ContractError(command, `result is ${describe(value)}, expected an array`);
    }
    return value;
}

function describe(value: unknown): string {
    if (value === null) { return 'null'; }
    if (value === undefined) { return 'missing'; }
    if (Array.isArray(value)) { return 'an array'; }
    return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function checkFields<T>(command: ServerCommandId, value: unknown, where: string, fields: Record<keyof T, Field>): T {
    const obj = record(command, value, where);
    for (const [key, kind] of Object.entries(fields) as [string, Field][]) {
        const v = obj[key];
        const ok = kind === 'string|null'
            ? v === null || v === undefined || typeof v === 'string'
            : kind === 'number' ? typeof v === 'number' && Number.isFinite(v) : typeof v === kind;
        if (!ok) {
            throw new ContractError(command, `${where}.${key} is ${describe(v)}, expected ${kind === 'string|null' ? 'a string or null' : `a ${kind}`}`);
        }
    }
    return obj as T;
}

export function parseSearchHits(value: unknown): SearchHit[] {
    const cmd = SERVER_COMMANDS.searchSkills;
    return list(cmd, value).map((item, i) => {
        const hit = checkFields<SearchHit>(cmd, item, `result[${i}]`, {
            id: 'string', name: 'string', description: 'string', score: 'number', scope: 'string', path: 'string|null',
        });
        return { id: hit.id, name: hit.name, description: hit.description, score: hit.score, scope: hit.scope, path: hit.path ?? null };
    });
}

const SAVE_ACTIONS: readonly SaveAction[] = ['created', 'updated', 'unchanged'];

export function parseSaveResult(value: unknown): SaveResult {
    const cmd = SERVER_COMMANDS.saveToStore;
    const r = checkFields<SaveResult>(cmd, value, 'result', {
        id: 'string', name: 'string', version: 'string', action: 'string', path: 'string|null',
    });
    if (!SAVE_ACTIONS.includes(r.action)) {
        throw new ContractError(cmd, `result.action is ${JSON.stringify(r.action)}, expected one of ${SAVE_ACTIONS.join(', ')}`);
    }
    return { id: r.id, name: r.name, version: r.version, action: r.action, path: r.path ?? null };
}

export function parseVersions(value: unknown): SkillVersion[] {
    const cmd = SERVER_COMMANDS.showVersions;
    return list(cmd, value).map((item, i) => {
        const v = checkFields<SkillVersion>(cmd, item, `result[${i}]`, {
            version: 'string', created_at: 'string', reason: 'string|null', content_hash: 'string',
        });
        return { version: v.version, created_at: v.created_at, reason: v.reason ?? '', content_hash: v.content_hash };
    });
}
