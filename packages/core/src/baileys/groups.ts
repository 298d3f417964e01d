import type { WASocket } from '@whiskeysockets/baileys';
import type { GroupOperations } from '../ports/connector.js';
import { groupOf } from './map-events.js';

/** Group operations over a Baileys socket. */
export function createGroupOperations(sock: WASocket): GroupOperations {
  return {
    list: async () => Object.values(await sock.groupFetchAllParticipating()).map(groupOf),
    get: async (jid) => groupOf(await sock.groupMetadata(jid)),
    create: async (subject, participants) => groupOf(await sock.groupCreate(subject, participants)),
    async update(jid, change) {
      if (change.subject !== undefined) await sock.groupUpdateSubject(jid, change.subject);
      if (change.description !== undefined) await sock.groupUpdateDescription(jid, change.description);
      if (change.announce !== undefined)
        await sock.groupSettingUpdate(jid, change.announce ? 'announcement' : 'not_announcement');
      if (change.restrict !== undefined)
        await sock.groupSettingUpdate(jid, change.restrict ? 'locked' : 'unlocked');
      if (change.picture) await sock.updateProfilePicture(jid, change.picture);
    },
    participants: async (jid, action, participants) =>
      (await sock.groupParticipantsUpdate(jid, participants, action)).map((r) => ({
        jid: r.jid ?? '',
        status: r.status,
      })),
    inviteCode: async (jid) => (await sock.groupInviteCode(jid)) ?? '',
    revokeInvite: async (jid) => (await sock.groupRevokeInvite(jid)) ?? '',
    join: async (code) => (await sock.groupAcceptInvite(code)) ?? '',
    leave: (jid) => sock.groupLeave(jid),
  };
}
