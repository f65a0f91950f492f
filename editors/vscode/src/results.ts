// How server results are shown: quick-pick items and messages. Plain data in, plain data out,
// so the wording is tested without an editor.
import type { SaveResult, SearchHit, SkillVersion } from './protocol';

/** The subset of `vscode.QuickPickItem` we fill, plus the value the item stands for. */
export interface PickItem<T> {
    label: string;
    description?: string;
    detail?: string;
    value: T;
}

export function searchHitItem(hit: SearchHit): PickItem<SearchHit> {
    const where = hit.path === null ? 'not on disk' : hit.scope;
    return {
        label: hit.name,
        description: `${where} · ${hit.score.toFixed(2)}`,
        detail: hit.description,
        value: hit,
    };
}

export function versionItem(v: SkillVersion, index: number): PickItem<SkillVersion> {
    const parts = [v.reason, v.content_hash ? `sha ${v.content_hash.slice(0, 12)}` : ''].filter((p) => p !== '');
    return {
        label: `v${v.version}`,
        description: index === 0 ? `${v.created_at} · current` : v.created_at,
        detail: parts.length > 0 ? parts.join(' · ') : undefined,
        value: v,
    };
}

export function savedMessage(r: SaveResult): string {
    return `Saved ${r.name} v${r.version} (${r.action})`;
}

export function noFileMessage(hit: SearchHit): string {
    return `${hit.name} has no SKILL.md on disk (id ${hit.id}); run \`autoskill show ${hit.id}\` to print it.`;
}

/** "my-skill/SKILL.md" for a document URI, the id or name itself otherwise. */
export function subjectLabel(uriOrIdOrName: string): string {
    const m = /^[a-z][a-z0-9+.-]*:\/\/?[^?#]*?([^/?#]+\/[^/?#]+)(?:[?#].*)?$/i.exec(uriOrIdOrName);
    if (m === null) { return uriOrIdOrName; }
    try {
        return decodeURIComponent(m[1]);
    } catch {
        return m[1];
    }
}
