// The outbox: what waits to be sent (count, bytes, each photo's progress, each failure's
// reason), the "send now" button, and the sync indicator in the header.
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { sayAnswer } from '../errors.js';
import { addStrings, t } from '../i18n.js';
import { discard, replay, retry, saveToFile, subscribe } from '../outbox.js';
import { Link } from '../router.js';

addStrings({
  outbox: '待发送',
  sendNow: '立即发送',
  sending: '正在发送…',
  outboxEmpty: '全部已发送，没有待发送的记录。',
  outboxHint: '离线时所做的一切都先保存在本机，联网后按顺序自动发送；重新打开应用也不会丢失。',
  pendingSummary: (n, size) => `${n} 项待发送 · ${size}`,
  kinds: { media: '照片', plan: '检查计划', visit: '检查记录', notice: '警示语' },
  videoKind: '取证视频',
  photoKinds: { evidence: '取证照片', premises: '现场照片', notice: '警示语照片', signature: '签名' },
  opState: { waiting: '等待前序记录发送', queued: '等待发送', sending: '正在发送', retrying: '未能发送，稍后自动重试', failed: '服务器拒收' },
  bytesSent: (sent, total) => `已发送 ${sent} / ${total}`,
  retry: '重新发送',
  openToCorrect: '打开修改',
  saveFile: '另存为文件（ZIP）',
  savedAt: '已另存为文件',
  discard: '从待发送中删除',
  lastError: '最近错误：',
  serverSaid: '服务器说明：',
  reasons: {
    network: ['网络中断或没有信号。', '恢复网络后会自动发送，也可点“立即发送”。'],
    busy: ['服务器繁忙或暂时不可用。', '稍后会自动重试，无需操作。'],
    session: ['登录已过期。', '请重新登录，登录后自动继续发送。'],
    missing: ['这张照片已不在本机（可能被浏览器清除）。', '打开检查记录重新拍摄；或另存为文件后删除此项。'],
    forbidden: ['您无权提交这条记录（不在您的辖区或不是检查组成员）。', '另存为文件，并联系科室处理。'],
    notFound: ['服务器上找不到它所引用的记录（企业、检查计划或检查表）。', '打开记录核对后重新提交，或另存为文件。'],
    conflict: ['与服务器上已保存的记录不一致（例如这次检查已经提交，不能再改）。', '另存为文件；如需更正，请提交修正记录。'],
    deadline: ['整改期限早于检查当天。', '打开记录，修改整改期限后重新提交。'],
    started: ['检查开始时间不合理（手机时间可能有误）。', '核对手机时间，打开记录核对后重新提交。'],
    file: ['服务器不接受这个文件（文件损坏、过大或格式不支持）。', '打开检查记录重新拍摄；或另存为文件后删除此项。'],
    invalid: ['服务器认为这条记录有误。', '打开记录修改后重新提交，或另存为文件。'],
  },
  syncIdle: '已全部发送',
}, {
  outbox: 'Outbox',
  sendNow: 'Send now',
  sending: 'Sending…',
  outboxEmpty: 'Everything has been sent.',
  outboxHint: 'Whatever you do offline is saved on this device first and sent in order when the network returns; closing the app loses nothing.',
  pendingSummary: (n, size) => `${n} waiting · ${size}`,
  kinds: { media: 'Photo', plan: 'Visit plan', visit: 'Visit record', notice: 'Warning notice' },
  videoKind: 'Evidence video',
  photoKinds: { evidence: 'Evidence photo', premises: 'Site photo', notice: 'Notice photo', signature: 'Signature' },
  opState: { waiting: 'Waits for the records before it', queued: 'Waiting to be sent', sending: 'Sending',
             retrying: 'Not sent; retries automatically', failed: 'Refused by the server' },
  bytesSent: (sent, total) => `${sent} of ${total} sent`,
  retry: 'Send again',
  openToCorrect: 'Open to correct',
  saveFile: 'Save to a file (ZIP)',
  savedAt: 'Saved to a file',
  discard: 'Remove from the outbox',
  lastError: 'Last error: ',
  serverSaid: 'The server said: ',
  reasons: {
    network: ['No network or no signal.', 'It is sent when the network returns; or press "Send now".'],
    busy: ['The server is busy or briefly unavailable.', 'It retries automatically; nothing to do.'],
    session: ['Your sign-in has expired.', 'Sign in again; sending resumes.'],
    missing: ['This photo is no longer on this device (the browser may have cleared it).',
              'Open the visit and take it again; or save this item to a file, then remove it.'],
    forbidden: ['You may not file this record (outside your jurisdiction or not on the team).', 'Save it to a file and ask your office.'],
    notFound: ['A record it refers to (enterprise, visit plan or checklist) is not on the server.', 'Open it, check and submit again; or save it to a file.'],
    conflict: ['It disagrees with a record already saved (a submitted visit cannot change).', 'Save it to a file; file an amendment to correct it.'],
    deadline: ['A rectification deadline is before the day of the visit.', 'Open the record, change the deadline and submit again.'],
    started: ["The visit's start time is not plausible (is the phone's clock wrong?).", "Check the phone's clock, open the record and submit again."],
    file: ['The server does not accept this file (damaged, too large or an unsupported type).',
           'Open the visit and take it again; or save this item to a file, then remove it.'],
    invalid: ['The server found a mistake in this record.', 'Open the record, correct it and submit again; or save it to a file.'],
  },
  syncIdle: 'All sent',
});

export const formatBytes = (n) => (n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

function useOutbox() {
  const [state, setState] = useState({ ops: [], loaded: false, progress: {}, sending: null, running: false, lastError: null });
  useEffect(() => subscribe(setState), []);
  return state;
}

const bytesOf = (ops) => ops.reduce((sum, op) => sum + (op.size || 0), 0);

// Why an op was not sent, in words: [what happened, what to do].
export function reasonWords(reason) {
  const words = t('reasons');
  if (!reason) return null;
  const { status, key } = reason;
  if (status === 0) return words.network;
  if (status >= 500 || [408, 425, 429].includes(status)) return words.busy;
  if (status === 401) return words.session;
  if (status === 410) return words.missing;
  if (status === 403) return words.forbidden;
  if (status === 404) return words.notFound;
  if (status === 409) return words.conflict;
  if (status === 413 || status === 415 || key === 'file') return words.file;
  if (key && /^findings\[\d+\]\.deadline$/.test(key)) return words.deadline;
  if (key === 'started_at') return words.started;
  return words.invalid;
}

// In the header, kept short so the user's name stays in view at 390 px: how many wait,
// the photo being uploaded; red when something was refused.
export function SyncBadge({ me }) {
  const { ops, progress, lastError } = useOutbox();
  if (!me || ops.length === 0) return null;
  const [uploading] = Object.values(progress);
  const failed = ops.some((op) => op.status === 'failed');
  const why = reasonWords(lastError);
  return html`<${Link} href="/outbox" class=${failed || lastError ? 'sync-badge error' : 'sync-badge'}
    title=${`${t('pendingSummary')(ops.length, formatBytes(bytesOf(ops)))}${why ? ` · ${why[0]}` : ''}`}
    aria-label=${`${t('outbox')} ${ops.length}`} data-testid="sync-badge">
    ⇪ ${ops.length}${uploading ? ` ↑${Math.round((uploading.loaded / uploading.total) * 100)}%` : ''}
  <//>`;
}

function describe(op) {
  if (op.kind === 'media' && op.video) return t('videoKind');
  return op.kind === 'media' ? t('photoKinds')[op.category] || t('kinds').media : t('kinds')[op.kind];
}

function stateOf(op, queued, progress, sending) {
  if (op.status === 'failed') return 'failed';
  if (progress[op.id] || sending === op.id) return 'sending';
  if (op.deps.some((d) => queued.has(d))) return 'waiting';
  return op.error ? 'retrying' : 'queued';
}

function Op({ op, queued, progress, sending }) {
  const state = stateOf(op, queued, progress, sending);
  const sent = progress[op.id];
  const why = reasonWords(op.error);
  return html`<li class=${`card op ${op.status}`} data-kind=${op.kind} data-state=${state}>
    <strong>${describe(op)}</strong>
    <span class="muted">${op.label}${op.size ? ` · ${formatBytes(op.size)}` : ''}</span>
    <span class="op-state">${t('opState')[state]}</span>
    ${sent && html`<progress max=${sent.total} value=${sent.loaded}></progress>
      <span class="muted small" data-testid="bytes-sent">${t('bytesSent')(formatBytes(sent.loaded), formatBytes(sent.total))}</span>`}
    ${why && html`<span class=${state === 'failed' ? 'problem' : 'muted'} data-testid="reason">${why[0]} ${why[1]}</span>`}
    ${state === 'failed' && (op.error.code || op.error.detail) && html`<span class="muted small">${t('serverSaid')}${sayAnswer(op.error.status, op.error)}</span>`}
    ${state === 'failed' && html`<div class="op-actions">
      ${op.visit && html`<${Link} class="button secondary" href=${`/visits/${op.visit}`}>${t('openToCorrect')}<//>`}
      <button class="secondary" onClick=${() => retry(op.id)}>${t('retry')}</button>
      <button class="secondary" onClick=${() => saveToFile(op.id)}>${t('saveFile')}</button>
      ${op.savedAt && html`<span class="muted small">✓ ${t('savedAt')}</span>
        <button class="link" onClick=${() => discard(op.id)}>${t('discard')}</button>`}
    </div>`}
  </li>`;
}

export function Outbox() {
  const { ops, loaded, progress, sending, running, lastError } = useOutbox();
  const queued = new Set(ops.map((op) => op.id));
  const last = reasonWords(lastError);
  return html`<main>
    <h1>${t('outbox')}</h1>
    <p class="muted">${t('outboxHint')}</p>
    ${ops.length > 0 && html`<p class="lead" data-testid="pending">${t('pendingSummary')(ops.length, formatBytes(bytesOf(ops)))}</p>`}
    <button class="primary" onClick=${() => replay({ force: true })}>
      ${running ? t('sending') : t('sendNow')}</button>
    ${last && html`<p class="problem" role="alert">${t('lastError')}${last[0]}</p>`}
    ${!loaded ? null : ops.length === 0 ? html`<p class="empty">${t('outboxEmpty')}</p>` : html`<ul class="cards outbox">
      ${ops.map((op) => html`<${Op} key=${op.id} op=${op} queued=${queued} progress=${progress} sending=${sending} />`)}
    </ul>`}
  </main>`;
}
