/**
 * Who may run admin commands: one definition for /add-papers, /gaps and /watch's server-wide
 * powers. Manage Server, or a role listed in ADMIN_ROLE_IDS (teams often give a "bot admin" role
 * without handing out Manage Server).
 */
import { type ChatInputCommandInteraction, PermissionFlagsBits } from 'discord.js';

export function isBotAdmin(i: ChatInputCommandInteraction, adminRoleIds: readonly string[]): boolean {
  if (!i.inGuild()) return false;
  if (i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  const roles = i.member?.roles;
  const ids = !roles ? [] : Array.isArray(roles) ? roles : [...roles.cache.keys()];
  return ids.some((id) => adminRoleIds.includes(id));
}

/** Manage Channels in this channel, or a bot admin. */
export function canManageChannel(i: ChatInputCommandInteraction, adminRoleIds: readonly string[]): boolean {
  return isBotAdmin(i, adminRoleIds) || Boolean(i.inGuild() && i.memberPermissions?.has(PermissionFlagsBits.ManageChannels));
}
