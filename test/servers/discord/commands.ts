/** Application commands: global and per-guild registration (bulk overwrite, upsert, delete) with Discord's name rules. */
import type { RouteContext, RouteResult } from './http.js';
import { snowflake } from './protocol.js';
import { clone, type FakeState } from './state.js';
import { apiError, fieldError, invalidFormBody, maxLen, setPath, strLen } from './validation.js';

export type Commands = ReturnType<typeof createCommands>;

export function createCommands(state: FakeState) {
  const { commandIds, applicationId, globalCommands, guildCommands, guildsById } = state;

  function normalizeCommand(cmd: any, scopeGuildId: string | undefined, index: number, errors: any): any {
    const type = cmd?.type ?? 1;
    const name = cmd?.name;
    if (
      typeof name !== 'string' ||
      !/^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u.test(name) ||
      (type === 1 && name !== name.toLowerCase())
    ) {
      setPath(errors, [index, 'name'], fieldError('APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid'));
    }
    if (type === 1 && (strLen(cmd?.description) < 1 || strLen(cmd?.description) > 100)) {
      setPath(errors, [index, 'description'], fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.'));
    }
    if (Array.isArray(cmd?.options) && cmd.options.length > 25) setPath(errors, [index, 'options'], maxLen(25));
    const key = `${scopeGuildId ?? 'global'}:${type}:${name}`;
    let id = commandIds.get(key);
    if (!id) commandIds.set(key, (id = snowflake()));
    return {
      id,
      application_id: applicationId,
      version: snowflake(),
      default_member_permissions: cmd?.default_member_permissions ?? null,
      type,
      name,
      name_localizations: cmd?.name_localizations ?? null,
      description: cmd?.description ?? '',
      description_localizations: cmd?.description_localizations ?? null,
      ...(scopeGuildId ? { guild_id: scopeGuildId } : { dm_permission: cmd?.dm_permission ?? true }),
      contexts: cmd?.contexts ?? null,
      integration_types: cmd?.integration_types ?? [0],
      nsfw: cmd?.nsfw ?? false,
      ...(Array.isArray(cmd?.options) ? { options: cmd.options } : {}),
    };
  }

  function commandList(scope: string | undefined): any[] {
    if (!scope) return globalCommands;
    let list = guildCommands.get(scope);
    if (!list) guildCommands.set(scope, (list = []));
    return list;
  }

  function checkApp(ctx: RouteContext): void {
    if (ctx.params.app !== applicationId) throw apiError(403, 50001, 'Missing Access');
    if (ctx.params.guild && !guildsById.has(ctx.params.guild)) throw apiError(403, 50001, 'Missing Access');
  }

  function bulkOverwrite(ctx: RouteContext): RouteResult {
    checkApp(ctx);
    if (!Array.isArray(ctx.body)) throw invalidFormBody({ _errors: [{ code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }] });
    if (ctx.body.length > 100) throw invalidFormBody({ _errors: [maxLen(100)._errors[0]] });
    const errors: any = {};
    const out = ctx.body.map((c: any, i: number) => normalizeCommand(c, ctx.params.guild, i, errors));
    const seen = new Set<string>();
    out.forEach((c: any, i: number) => {
      const key = `${c.type}:${c.name}`;
      if (seen.has(key))
        setPath(errors, [i, 'name'], fieldError('APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`));
      seen.add(key);
    });
    if (Object.keys(errors).length) throw invalidFormBody(errors);
    const list = commandList(ctx.params.guild);
    list.splice(0, list.length, ...out);
    return { status: 200, body: clone(out) };
  }

  function upsertCommand(ctx: RouteContext): RouteResult {
    checkApp(ctx);
    const errors: any = {};
    const cmd = normalizeCommand(ctx.body, ctx.params.guild, 0, errors);
    if (Object.keys(errors).length) throw invalidFormBody(errors[0]);
    const list = commandList(ctx.params.guild);
    const i = list.findIndex((c) => c.id === cmd.id);
    if (i >= 0) list[i] = cmd;
    else list.push(cmd);
    return { status: i >= 0 ? 200 : 201, body: clone(cmd) };
  }

  function deleteCommand(ctx: RouteContext): RouteResult {
    checkApp(ctx);
    const list = commandList(ctx.params.guild);
    const i = list.findIndex((c) => c.id === ctx.params.cmd);
    if (i < 0) throw apiError(404, 10063, 'Unknown application command');
    list.splice(i, 1);
    return { status: 204 };
  }

  return { commandList, checkApp, bulkOverwrite, upsertCommand, deleteCommand };
}
