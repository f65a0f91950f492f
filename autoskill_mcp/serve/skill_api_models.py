"""The bodies of the skill REST API (`/v1/autoskill/...`) as pydantic models.

Requests are validated with them, so a wrong type is a 400 naming the field, and the OpenAPI
document is generated from the same models, so it cannot drift from what is accepted.
Requests are strict (no "5" for 5) and refuse unknown fields (a typo is said, not ignored);
query strings are not strict, since every query value arrives as text.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..learning.maintenance import SaveOutcome  # the one vocabulary of save outcomes
from ..mcp_server.tools_skills import SearchHit as HitOut  # a hit as the MCP tool gives it, less its uri

Scope = Literal["all", "user", "shared", "library", "common"]
JobState = Literal["queued", "running", "done", "failed"]


class Request(BaseModel):
    """A JSON request body: strict types, no unknown fields."""

    model_config = ConfigDict(strict=True, extra="forbid")


class Message(BaseModel):
    """An OpenAI-style chat message: a string role, any content (text or parts), other keys kept."""

    model_config = ConfigDict(strict=True, extra="allow")
    role: str = Field(min_length=1, max_length=64)
    content: Any = None


# -- requests ---------------------------------------------------------------------------------------------


class SkillMdIn(Request):
    skill_md: str = Field(description="The whole SKILL.md")
    expected_version: str | None = Field(default=None, description="Refuse (409) when the stored version differs")


class ValidateIn(Request):
    skill_md: str = Field(description="The whole SKILL.md, checked as it is; nothing is stored")
    name: str | None = Field(default=None, max_length=200,
                             description="The skill's folder name (its stored name), which `name:` must equal")


class RollbackIn(Request):
    version: str | None = Field(default=None, description="e.g. 0.1.2 or #3; default: the previous version")


class SearchIn(Request):
    query: str = Field(min_length=1, max_length=2000)
    scope: Scope = "all"
    top_k: int = Field(default=5, ge=1, le=50)
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)


class ImportIn(Request):
    skills: list[str] = Field(min_length=1, max_length=500, description="SKILL.md texts, one skill each")
    overwrite: bool = Field(default=False, description="Update a skill of the same name (else it is skipped)")


class ConversationsIn(Request):
    messages: list[Message] | None = Field(default=None, min_length=1, description="One conversation")
    conversations: list[list[Message]] | None = Field(default=None, min_length=1, max_length=100,
                                                      description="Several conversations")
    hint: str | None = Field(default=None, max_length=500, description="What is worth learning from them")

    @model_validator(mode="after")
    def one_of(self) -> ConversationsIn:
        if (self.messages is None) == (self.conversations is None):
            raise ValueError("give exactly one of 'messages' or 'conversations'")
        return self


class ExtractionIn(Request):
    messages: list[Message] = Field(min_length=1)
    hint: str | None = Field(default=None, max_length=500)


class PreviewIn(Request):
    messages: list[Message] | None = Field(default=None, min_length=1, description="A chat request's messages")
    query: str | None = Field(default=None, min_length=1, max_length=20_000, description="Or the query itself")

    @model_validator(mode="after")
    def one_of(self) -> PreviewIn:
        if (self.messages is None) == (self.query is None):
            raise ValueError("give exactly one of 'messages' or 'query'")
        return self


# -- query strings ----------------------------------------------------------------------------------------


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ListQuery(Query):
    scope: Scope = "all"
    q: str | None = Field(default=None, max_length=200, description="Only names or descriptions holding this")
    limit: int = Field(default=100, ge=1, le=500)
    cursor: str | None = Field(default=None, description="The next_cursor of the previous page")


class VersionsQuery(Query):
    from_: str | None = Field(default=None, alias="from", description="With 'to': a diff of these two versions")
    to: str | None = None


class JobsQuery(Query):
    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = None


class CandidatesQuery(Query):
    status: Literal["pending", "accepted", "rejected", "promoted", "all"] = Field(
        default="pending", description="Which candidates: kept aside now (pending), resolved ones, or all")
    limit: int = Field(default=200, ge=1, le=500)


class PruneQuery(Query):
    min_retrieved: int = Field(default=40, ge=1, description="Retrieved at least this often")
    max_used: int = Field(default=0, ge=0, description="Used at most this often")
    min_age_days: float = Field(default=14.0, ge=0.0, description="Created at least this many days ago")


# -- responses --------------------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    message: str
    type: str
    code: str | None = None
    param: str | None = None
    diagnostics: list[dict[str, Any]] | None = Field(default=None, description="422: the validator's findings")


class ErrorOut(BaseModel):
    error: ErrorDetail


class SkillSummaryOut(BaseModel):
    id: str
    name: str
    description: str
    version: str
    scope: str
    tags: list[str]
    updated_at: str


class SkillPageOut(BaseModel):
    skills: list[SkillSummaryOut]
    total: int
    next_cursor: str | None = None


class FileOut(BaseModel):
    path: str
    size: int


class UsageOut(BaseModel):
    retrieved: int = Field(description="How often it was retrieved for you")
    used: int = Field(description="How often you (or your agent) reported using it")
    last_retrieved_at: str | None = None
    last_used_at: str | None = None


class EvidenceOut(BaseModel):
    source: str = Field(description="transcript, import, manual or sdk")
    session_id: str | None = None
    agent: str | None = None
    at: str | None = None
    quotes: list[str] = Field(default_factory=list, description="The user's words (redacted) the skill rests on")


class SkillOut(SkillSummaryOut):
    instructions: str
    triggers: list[str]
    metadata: dict[str, str]
    files: list[FileOut]
    usage: UsageOut = Field(description="Your counters for this skill")
    evidence: list[EvidenceOut] = Field(default_factory=list, description="Where each version's content came from")


class SaveOut(BaseModel):
    outcome: SaveOutcome
    id: str | None
    name: str
    version: str | None
    reason: str
    redacted: dict[str, int] = Field(default_factory=dict, description="Secrets replaced before storing, by kind")


class DeleteOut(BaseModel):
    deleted: bool
    id: str
    name: str


class VersionOut(BaseModel):
    n: int
    version: str
    reason: str
    created_at: str
    current: bool
    content_hash: str


class VersionsOut(BaseModel):
    id: str
    name: str
    versions: list[VersionOut]
    diff: str | None = Field(default=None, description="With ?from=&to=: a unified diff of their SKILL.md")


class PositionOut(BaseModel):
    line: int = Field(description="0-based")
    character: int = Field(description="0-based, in Unicode code points")


class RangeOut(BaseModel):
    start: PositionOut
    end: PositionOut


class EditOut(BaseModel):
    range: RangeOut
    newText: str  # the LSP TextEdit's own field name, as `autoskill validate --json` writes it


class FixOut(BaseModel):
    title: str
    edits: list[EditOut]
    rename: dict[str, str] | None = Field(default=None, description="A file or folder rename (not applied here)")
    text: str | None = Field(default=None, description="The whole SKILL.md with this fix applied (null: a rename)")


class DiagnosticOut(BaseModel):
    code: str
    severity: str
    message: str
    range: RangeOut
    fixes: list[FixOut]
    data: dict[str, Any] = Field(default_factory=dict)
    doc_url: str = ""


class ValidateOut(BaseModel):
    diagnostics: list[DiagnosticOut] = Field(description="As `autoskill validate --json` gives them, sorted by place")
    errors: int
    fixed: str | None = Field(default=None, description="The SKILL.md with every applicable fix applied, when any")


class SearchOut(BaseModel):
    query: str
    hits: list[HitOut]
    note: str | None = Field(default=None, description="Why vectors did not rank this search, when they did not")


class ImportItemOut(BaseModel):
    index: int
    name: str | None
    outcome: SaveOutcome | None = Field(description="null when the item was skipped (see reason)")
    reason: str | None = None
    warnings: list[str] = Field(default_factory=list)


class ImportOut(BaseModel):
    items: list[ImportItemOut]
    warnings: list[str] = Field(default_factory=list, description="An archive's entries left out, and why")


class JobRef(BaseModel):
    job_id: str
    created: bool = Field(description="False when the same conversation was already queued (same job)")


class JobsQueuedOut(BaseModel):
    jobs: list[JobRef]


class LearnedOut(BaseModel):
    outcome: SaveOutcome
    name: str
    skill_id: str | None = None
    version: str | None = None
    reason: str


class KeptAsideOut(BaseModel):
    id: str
    name: str
    summary: str


class JobResultOut(BaseModel):
    skills: list[LearnedOut]
    kept_aside: list[KeptAsideOut] = Field(description="Candidates kept until their requirement recurs")
    errors: list[str]
    extractor: str | None = None


class SaidOut(BaseModel):
    text: str
    kind: str = Field(description="requirement | correction | directive | procedure")
    session_id: str
    turn: int
    agent: str = ""


class CandidateOut(BaseModel):
    id: str
    name: str
    summary: str
    status: str = Field(description="pending | accepted | rejected | promoted")
    evidence: list[SaidOut] = Field(description="The user's words it rests on")
    sessions: list[str]
    skill_id: str | None = Field(default=None, description="The skill it became, once accepted or promoted")
    created_at: str | None = None
    updated_at: str | None = None


class CandidatesOut(BaseModel):
    candidates: list[CandidateOut]


class AcceptOut(BaseModel):
    candidate: CandidateOut
    skills: list[LearnedOut] = Field(description="What learning it did, in the save outcomes")


class PruneCandidateOut(BaseModel):
    id: str
    name: str
    version: str
    retrieved: int
    used: int
    last_retrieved_at: str | None = None


class PruneOut(BaseModel):
    applied: bool = Field(description="Always false here: the API only reports")
    candidates: list[PruneCandidateOut] = Field(description="Your skills the thresholds call unused")
    kept_for_missing_signal: int = Field(description="Skills kept because no `used` reports come in")
    note: str = ""
    policy: PruneQuery


class JobOut(BaseModel):
    id: str
    state: JobState
    attempts: int
    source: str
    hint: str | None = None
    created_at: str | None
    started_at: str | None = None
    finished_at: str | None = None
    progress: str | None = None
    error: str | None = None
    result: JobResultOut | None = None
    created: bool | None = Field(default=None, description="On a POST: False when it was already queued")


class JobPageOut(BaseModel):
    jobs: list[JobOut]
    next_cursor: str | None = None


class PreviewSkillOut(BaseModel):
    id: str
    name: str
    score: float
    level: str


class PreviewOut(BaseModel):
    query: str = Field(description="What was searched: the given query, the latest user message, or its rewrite")
    query_source: str = Field(default="latest", description="latest | recent turns | llm rewrite (rewrite_mode)")
    skills: list[PreviewSkillOut]
    system_message: str = Field(description="The system message the proxy would add ('' for none)")
    tokens: int
    messages: list[dict[str, Any]] | None = Field(default=None, description="The messages as they would be sent")
    note: str | None = None


class RouteOut(BaseModel):
    method: str
    path: str
    summary: str


class CapabilitiesOut(BaseModel):
    version: str
    routes: list[RouteOut]
    embedder: dict[str, Any]
    llm: dict[str, Any]
    extract_mode: str
    mcp: str | None
    worker: bool
    store_ready: bool
    max_body: int
    save_outcomes: list[str]
