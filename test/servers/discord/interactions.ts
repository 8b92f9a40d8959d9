/**
 * Interaction flows: building INTERACTION_CREATE payloads (slash commands, autocomplete, buttons), the callback endpoint
 * with its 3 s deadline and single-acknowledgement rule, and the interaction webhook (follow-ups, @original).
 */
import { randomBytes } from 'node:crypto';
import type { Gateway } from './gateway.js';
import type { RouteContext, RouteResult, UploadedFile } from './http.js';
import type { Messages } from './messages.js';
import { BOT_PERMISSIONS, CallbackType, InteractionType, MEMBER_PERMISSIONS, MessageFlag, MessageType, snowflake } from './protocol.js';
import { clone, type FakeState, type InteractionState } from './state.js';
import type { CommandOption, InteractionHandle, SlashCommandOptions } from './types.js';
import {
  apiError,
  fieldError,
  invalidFormBody,
  maxLen,
  setPath,
  strLen,
  unknownInteraction,
  unknownMessage,
  unknownWebhook,
  validateMessageBody,
  validateModalData,
} from './validation.js';

export type Interactions = ReturnType<typeof createInteractions>;

export function createInteractions(state: FakeState, gateway: Gateway, messages: Messages) {
  const {
    applicationId,
    userId,
    guildId,
    guildList,
    users,
    channels,
    interactions,
    interactionsByToken,
    globalCommands,
    guildCommands,
    commandIds,
    shardCount,
    callbackDeadlineMs,
    botUser,
    messagesById,
    ensureUser,
    memberOf,
    requireGuild,
    requireKnownChannel,
    dmChannelFor,
    attachmentData,
  } = state;
  /** Attachment objects of ATTACHMENT options, by id, for `resolved.attachments`. */
  const optionAttachments = new Map<string, any>();
  const { sessionsFor, eventShard, dispatch } = gateway;
  const { createMessage, storeMessage, dispatchMessage, editMessage } = messages;

  function newInteractionToken(id: string): string {
    return Buffer.from(`interaction:${id}:${randomBytes(48).toString('hex')}`).toString('base64url');
  }

  function commandIdFor(name: string, scopeGuildId: string | null): { id: string; guildId?: string } {
    const inGuild = scopeGuildId ? (guildCommands.get(scopeGuildId) ?? []).find((c) => c.name === name) : undefined;
    if (inGuild) return { id: inGuild.id, guildId: scopeGuildId! };
    const global = globalCommands.find((c) => c.name === name);
    if (global) return { id: global.id };
    const key = `unregistered:${name}`;
    let id = commandIds.get(key);
    if (!id) commandIds.set(key, (id = snowflake()));
    return { id };
  }

  /** Give every ATTACHMENT option with a file an id (its value) and serve the bytes, as Discord's upload would. */
  function uploadOptionAttachments(options: CommandOption[] | undefined): void {
    for (const o of options ?? []) {
      uploadOptionAttachments(o.options);
      if (o.type !== 11 || !o.attachment || o.value !== undefined) continue;
      const a = o.attachment;
      const id = snowflake();
      const data = Buffer.isBuffer(a.data) ? a.data : Buffer.from(a.data, 'utf8');
      const contentType = a.contentType ?? 'text/plain; charset=utf-8';
      const url = a.url ?? `http://127.0.0.1:${state.port}/attachments/${id}/${encodeURIComponent(a.filename)}`;
      attachmentData.set(id, { data, contentType });
      optionAttachments.set(id, {
        id,
        filename: a.filename,
        size: a.size ?? data.length,
        url,
        proxy_url: url,
        content_type: contentType,
        ephemeral: true,
      });
      o.value = id;
    }
  }

  function buildResolved(options: CommandOption[] | undefined, gid: string | null): any {
    const inGuild = gid !== null;
    const resolved: any = {};
    const visit = (opts: CommandOption[] | undefined) => {
      for (const o of opts ?? []) {
        if (o.options) visit(o.options);
        const id = typeof o.value === 'string' ? o.value : undefined;
        if (!id || o.focused) continue;
        if (o.type === 6 || o.type === 9) {
          if (users.has(id) || o.type === 6) {
            (resolved.users ??= {})[id] = clone(ensureUser(id));
            if (inGuild) {
              const { user: _u, ...m } = memberOf(gid, id);
              (resolved.members ??= {})[id] = { ...m, permissions: MEMBER_PERMISSIONS };
            }
          }
        } else if (o.type === 7 && channels.has(id)) {
          const ch = channels.get(id);
          (resolved.channels ??= {})[id] = {
            id,
            name: ch.name,
            type: ch.type,
            permissions: MEMBER_PERMISSIONS,
            ...(ch.parent_id ? { parent_id: ch.parent_id } : {}),
          };
        } else if (o.type === 11 && optionAttachments.has(id)) {
          (resolved.attachments ??= {})[id] = clone(optionAttachments.get(id));
        } else if (o.type === 8) {
          const role = guildList.flatMap((g) => g.roles).find((r) => r.id === id);
          if (role) (resolved.roles ??= {})[id] = clone(role);
        }
      }
    };
    visit(options);
    return Object.keys(resolved).length ? resolved : undefined;
  }

  function channelForInteraction(ch: any, permissions: string): any {
    const out = clone(ch);
    if (out.guild_id) out.permissions = permissions;
    return out;
  }

  function baseInteraction(
    type: number,
    o: { userId?: string; channelId?: string; guildId?: string; permissions?: string; roles?: string[]; guild?: boolean; locale?: string },
  ) {
    const id = snowflake();
    const uid = o.userId ?? userId;
    const user = ensureUser(uid);
    const inGuild = o.guild !== false;
    const ch = inGuild ? requireKnownChannel(o.channelId ?? requireGuild(o.guildId ?? guildId).textChannelId) : dmChannelFor(uid);
    const gid: string | null = inGuild ? (ch.guild_id ?? null) : null;
    if (inGuild && !gid) throw new Error(`fake discord: channel ${ch.id} is not in a guild; pass guild: false for a DM`);
    if (inGuild && o.guildId && gid !== o.guildId) throw new Error(`fake discord: channel ${ch.id} is not in guild ${o.guildId}`);
    const permissions = o.permissions ?? MEMBER_PERMISSIONS;
    const tokenValue = newInteractionToken(id);
    const payload: any = {
      id,
      application_id: applicationId,
      type,
      token: tokenValue,
      version: 1,
      channel: channelForInteraction(ch, permissions),
      channel_id: ch.id,
      app_permissions: inGuild ? BOT_PERMISSIONS : '0',
      locale: o.locale ?? 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': gid ?? '0' },
      context: inGuild ? 0 : 1,
      attachment_size_limit: 10 * 1024 * 1024,
    };
    if (inGuild) {
      const { user: _u, ...member } = memberOf(gid, uid);
      payload.guild_id = gid;
      payload.guild = { id: gid, locale: 'en-US', features: [] };
      payload.guild_locale = 'en-US';
      payload.member = { ...member, ...(o.roles ? { roles: [...o.roles] } : {}), user: clone(user), permissions };
    } else {
      payload.user = clone(user);
    }
    const state: InteractionState = {
      id,
      token: tokenValue,
      type,
      channelId: ch.id,
      guildId: gid,
      userId: uid,
      sentAt: 0,
      acked: false,
      followUpIds: [],
    };
    return { payload, state, inGuild, gid };
  }

  function deliverInteraction(payload: any, state: InteractionState): InteractionHandle {
    if (sessionsFor(payload).length === 0) {
      const shard = shardCount > 1 ? ` of shard ${eventShard(payload)}` : '';
      throw new Error(`fake discord: no gateway session${shard} to deliver INTERACTION_CREATE; is the client logged in?`);
    }
    interactions.set(state.id, state);
    interactionsByToken.set(state.token, state);
    state.sentAt = Date.now();
    dispatch('INTERACTION_CREATE', payload, { required: true });
    return { interactionId: state.id, token: state.token, sentAt: state.sentAt };
  }

  function commandInteraction(type: number, o: SlashCommandOptions): InteractionHandle {
    if (type === InteractionType.ApplicationCommand) uploadOptionAttachments(o.options);
    const { payload, state, gid } = baseInteraction(type, o);
    const cmd = commandIdFor(o.name, gid);
    const data: any = { id: cmd.id, name: o.name, type: 1 };
    if (cmd.guildId) data.guild_id = cmd.guildId;
    if (o.options?.length)
      data.options = clone(o.options).map(function strip(opt: any): any {
        const out: any = { name: opt.name, type: opt.type };
        if (opt.options) out.options = opt.options.map(strip);
        else if (opt.value !== undefined) out.value = opt.value;
        if (opt.focused) out.focused = true;
        return out;
      });
    const resolved = type === InteractionType.ApplicationCommand ? buildResolved(o.options, gid) : undefined;
    if (resolved) data.resolved = resolved;
    payload.data = data;
    state.name = o.name;
    state.commandType = 1;
    return deliverInteraction(payload, state);
  }

  function hasFocused(options: CommandOption[] | undefined): boolean {
    return (options ?? []).some((o) => o.focused || hasFocused(o.options));
  }

  function interactionMetadataFor(state: InteractionState, extra: any = {}): any {
    const user = clone(ensureUser(state.userId));
    const meta: any = {
      id: state.id,
      type: state.type,
      user,
      authorizing_integration_owners: { '0': state.guildId ?? '0' },
      ...extra,
    };
    if (state.type === InteractionType.ApplicationCommand) {
      meta.name = state.name;
      meta.command_type = state.commandType ?? 1;
    }
    if (state.type === InteractionType.MessageComponent && state.sourceMessageId) meta.interacted_message_id = state.sourceMessageId;
    return meta;
  }

  function interactionMessage(state: InteractionState, body: any, files: UploadedFile[], flags: number, followUpOf?: string): any {
    const isCommand = state.type === InteractionType.ApplicationCommand;
    const msg = createMessage({
      channelId: state.channelId,
      author: botUser,
      body,
      files,
      type: followUpOf ? MessageType.Reply : isCommand ? MessageType.ChatInputCommand : MessageType.Default,
      webhookId: applicationId,
      flags,
      interactionMetadata: interactionMetadataFor(state, followUpOf ? { original_response_message_id: followUpOf } : {}),
      legacyInteraction:
        isCommand && !followUpOf ? { id: state.id, type: state.type, name: state.name, user: clone(ensureUser(state.userId)) } : undefined,
      reference: followUpOf
        ? { type: 0, message_id: followUpOf, channel_id: state.channelId, ...(state.guildId ? { guild_id: state.guildId } : {}) }
        : undefined,
    });
    return msg;
  }

  function handleCallback(ctx: RouteContext): RouteResult {
    const state = interactions.get(ctx.params.id);
    if (!state || state.token !== ctx.params.token) throw unknownInteraction();
    if (state.acked) throw apiError(400, 40060, 'Interaction has already been acknowledged.');
    if (callbackDeadlineMs > 0 && ctx.at - state.sentAt > callbackDeadlineMs) throw unknownInteraction();
    const body = ctx.body ?? {};
    const type = body.type;
    const data = body.data ?? {};
    const allowed: Record<number, number[]> = {
      [InteractionType.ApplicationCommand]: [
        CallbackType.ChannelMessageWithSource,
        CallbackType.DeferredChannelMessageWithSource,
        CallbackType.Modal,
        10,
        12,
      ],
      [InteractionType.MessageComponent]: [
        CallbackType.ChannelMessageWithSource,
        CallbackType.DeferredChannelMessageWithSource,
        CallbackType.DeferredMessageUpdate,
        CallbackType.UpdateMessage,
        CallbackType.Modal,
        10,
        12,
      ],
      [InteractionType.Autocomplete]: [CallbackType.AutocompleteResult],
      // A modal submit may update the message whose button opened the modal, but cannot open another modal.
      [InteractionType.ModalSubmit]: [
        CallbackType.ChannelMessageWithSource,
        CallbackType.DeferredChannelMessageWithSource,
        ...(state.sourceMessageId ? [CallbackType.DeferredMessageUpdate, CallbackType.UpdateMessage] : []),
      ],
    };
    if (!(allowed[state.type] ?? []).includes(type)) {
      throw invalidFormBody({
        type: fieldError('INTERACTION_RESPONSE_TYPE_INVALID', `Interaction response type ${type} is not valid for this interaction`),
      });
    }

    let message: any;
    let loading = false;
    switch (type) {
      case CallbackType.ChannelMessageWithSource: {
        const err = validateMessageBody(data, ctx.files.length, ['data']);
        if (err) throw err;
        message = interactionMessage(
          state,
          data,
          ctx.files,
          (data.flags ?? 0) & (MessageFlag.Ephemeral | (1 << 2) | (1 << 12) | MessageFlag.IsComponentsV2),
        );
        storeMessage(message);
        state.originalId = message.id;
        dispatchMessage('MESSAGE_CREATE', message);
        break;
      }
      case CallbackType.DeferredChannelMessageWithSource: {
        message = interactionMessage(state, { content: '' }, [], MessageFlag.Loading | ((data.flags ?? 0) & MessageFlag.Ephemeral));
        storeMessage(message);
        state.originalId = message.id;
        loading = true;
        dispatchMessage('MESSAGE_CREATE', message);
        break;
      }
      case CallbackType.DeferredMessageUpdate:
        state.originalId = state.sourceMessageId;
        break;
      case CallbackType.UpdateMessage: {
        const source = state.sourceMessageId ? messagesById.get(state.sourceMessageId) : undefined;
        if (!source) throw unknownMessage();
        editMessage(source, data, ctx.files);
        state.originalId = source.id;
        message = source;
        dispatchMessage('MESSAGE_UPDATE', source);
        break;
      }
      case CallbackType.AutocompleteResult: {
        const choices: any[] = Array.isArray(data.choices) ? data.choices : [];
        const errors: any = {};
        if (choices.length > 25) setPath(errors, ['data', 'choices'], maxLen(25));
        choices.forEach((c, i) => {
          if (strLen(c?.name) < 1 || strLen(c?.name) > 100)
            setPath(errors, ['data', 'choices', i, 'name'], fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.'));
          if (typeof c?.value === 'string' && strLen(c.value) > 100) setPath(errors, ['data', 'choices', i, 'value'], maxLen(100));
        });
        if (Object.keys(errors).length) throw invalidFormBody(errors);
        state.autocompleteChoices = clone(choices);
        break;
      }
      case CallbackType.Modal: {
        const err = validateModalData(data);
        if (err) throw err;
        state.modal = clone(data);
        break;
      }
      default:
        break;
    }
    state.acked = true;
    state.callbackType = type;

    if (ctx.query.with_response !== 'true') return { status: 204 };
    const original = state.originalId ? messagesById.get(state.originalId) : undefined;
    const result: any = {
      interaction: {
        id: state.id,
        type: state.type,
        ...(original
          ? {
              response_message_id: original.id,
              response_message_loading: loading,
              response_message_ephemeral: (original.flags & MessageFlag.Ephemeral) !== 0,
            }
          : {}),
      },
      resource: { type },
    };
    if (message && (type === CallbackType.ChannelMessageWithSource || type === CallbackType.UpdateMessage)) {
      result.resource.message = clone(message);
    }
    return { status: 200, body: result };
  }

  function webhookState(ctx: RouteContext): InteractionState {
    if (ctx.params.app !== applicationId) throw unknownWebhook();
    const state = interactionsByToken.get(ctx.params.token);
    // Discord only creates the interaction webhook once the interaction has been acknowledged.
    if (!state?.acked) throw unknownWebhook();
    return state;
  }

  function webhookMessage(state: InteractionState, ref: string): any {
    const id = ref === '@original' ? state.originalId : ref;
    if (!id) throw unknownMessage();
    const msg = messagesById.get(id);
    const belongs = ref === '@original' || state.followUpIds.includes(id) || id === state.originalId;
    if (!msg || !belongs) throw unknownMessage();
    return msg;
  }

  return {
    baseInteraction,
    deliverInteraction,
    commandInteraction,
    hasFocused,
    interactionMessage,
    handleCallback,
    webhookState,
    webhookMessage,
  };
}
