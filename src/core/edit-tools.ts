/** The tools Claude Code edits files with (MultiEdit is not in 2.1.332; matched anyway). */
export const EDIT_TOOLS = ['Write', 'Edit', 'MultiEdit', 'NotebookEdit'] as const;
export const EDIT_TOOL_MATCHER = EDIT_TOOLS.join('|');

export function isEditTool(name: unknown): name is string {
  return typeof name === 'string' && (EDIT_TOOLS as readonly string[]).includes(name);
}

/** The path in an edit tool's input (`notebook_path` for NotebookEdit). */
export function editedPath(toolInput: unknown): unknown {
  if (typeof toolInput !== 'object' || toolInput === null) return undefined;
  const i = toolInput as { file_path?: unknown; notebook_path?: unknown };
  return typeof i.file_path === 'string' && i.file_path !== '' ? i.file_path : i.notebook_path;
}
