"""One prompt per skill, so clients that surface MCP prompts as slash commands can call a skill by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, GetPromptResult, Prompt, PromptArgument, PromptMessage, TextContent

from . import skill_files as sf
from .state import ServerState

if TYPE_CHECKING:
    from ..runtime.project import ProjectSkills

TASK_ARGUMENT = PromptArgument(name="task", description="What to apply the skill to (optional)", required=False)


def list_prompts(state: ServerState, user: str, project: ProjectSkills | None = None) -> list[Prompt]:
    """A prompt named after each skill the user can see (the project's among them)."""
    return [Prompt(name=s.name, title=s.name, description=s.description, arguments=[TASK_ARGUMENT])
            for s in state.view(project).store.visible(user)]


def get_prompt(state: ServerState, user: str, name: str, arguments: dict[str, str] | None,
               project: ProjectSkills | None = None) -> GetPromptResult:
    """The skill's instructions as a user message, with the task appended when given."""
    store = state.view(project).store
    summary = sf.find_visible(store, user, name)
    skill = store.get(summary.id) if summary is not None else None
    if skill is None:
        raise MCPError(INVALID_PARAMS, f"Unknown prompt: {name!r}")
    task = (arguments or {}).get("task", "").strip()
    parts = [f"Apply the skill \"{skill.name}\" ({skill.description}).",
             f"Its full text and files are at {sf.skill_md_uri(skill.name)}.",
             "", skill.instructions.strip()]
    if task:
        parts += ["", f"Task: {task}"]
    return GetPromptResult(description=skill.description, messages=[
        PromptMessage(role="user", content=TextContent(type="text", text="\n".join(parts)))])
