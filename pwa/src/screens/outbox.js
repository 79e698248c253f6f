// The outbox: what waits to be sent (count, bytes, each photo's progress, each failure's
// reason), the "send now" button, and the sync indicator in the header.
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { addStrings, t } from '../i18n.js';
import { replay, retry, setUser, subscribe } from '../outbox.js';
import { Link, signInAgain } from '../router.js';

addStrings({
  outbox: '待发送',
  sendNow: '立即发送',
  sending: '正在发送…',
  outboxEmpty: '全部已发送，没有待发送的记录。',
  outboxHint: '离线时所做的一切都先保存在本机，联网后按顺序自动发送；重新打开应用也不会丢失。',
  pendingSummary: (n, size) => `${n} 项待发送 · ${size}`,
  kinds: { media: '照片', plan: '检查计划', visit: '检查记录', notice: '警示语' },
  photoKinds: { evidence: '取证照片', premises: '现场照片', notice: '警示语照片', signature: '签名' },
  waitingFor: '等待前序记录发送',
  failedBecause: '未能发送：',
  retryIn: '稍后自动重试',
  retry: '重新发送',
  lastError: '最近错误：',
  syncIdle: '已全部发送',
}, {
  outbox: 'Outbox',
  sendNow: 'Send now',
  sending: 'Sending…',
  outboxEmpty: 'Everything has been sent.',
  outboxHint: 'Whatever you do offline is saved on this device first and sent in order when the network returns; closing the app loses nothing.',
  pendingSummary: (n, size) => `${n} waiting · ${size}`,
  kinds: { media: 'Photo', plan: 'Visit plan', visit: 'Visit record', notice: 'Warning notice' },
  photoKinds: { evidence: 'Evidence photo', premises: 'Site photo', notice: 'Notice photo', signature: 'Signature' },
  waitingFor: 'Waits for the records before it',
  failedBecause: 'Not sent: ',
  retryIn: 'Retries automatically',
  retry: 'Send again',
  lastError: 'Last error: ',
  syncIdle: 'All sent',
});

export const formatBytes = (n) => (n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

function useOutbox() {
  const [state, setState] = useState({ ops: [], loaded: false, progress: {}, running: false, lastError: null });
  useEffect(() => subscribe(setState), []);
  return state;
}

const bytesOf = (ops) => ops.reduce((sum, op) => sum + (op.size || 0), 0);

// In the header: how much waits, the photo being uploaded, the last error. It also tells
// the outbox who is signed in: a new sign-in (after an expired session) resumes the queue.
export function SyncBadge({ me }) {
  const { ops, progress, lastError } = useOutbox();
  useEffect(() => {
    setUser(me?.id || null, signInAgain);
  }, [me]);
  if (!me || ops.length === 0) return null;
  const uploading = Object.values(progress);
  return html`<${Link} href="/outbox" class=${lastError ? 'sync-badge error' : 'sync-badge'} title=${lastError || ''}
    aria-label=${t('outbox')}>
    ⇪ ${ops.length} · ${formatBytes(bytesOf(ops))}${uploading.length ? ` · ↑${Math.round(uploading[0] * 100)}%` : ''}
  <//>`;
}

function describe(op) {
  return op.kind === 'media' ? t('photoKinds')[op.category] || t('kinds').media : t('kinds')[op.kind];
}

export function Outbox() {
  const { ops, loaded, progress, running, lastError } = useOutbox();
  const queued = new Set(ops.map((op) => op.id));
  return html`<main>
    <h1>${t('outbox')}</h1>
    <p class="muted">${t('outboxHint')}</p>
    ${ops.length > 0 && html`<p class="lead" data-testid="pending">${t('pendingSummary')(ops.length, formatBytes(bytesOf(ops)))}</p>`}
    <button class="primary" disabled=${running || ops.length === 0} onClick=${() => replay({ force: true })}>
      ${running ? t('sending') : t('sendNow')}</button>
    ${lastError && html`<p class="problem" role="alert">${t('lastError')}${lastError}</p>`}
    ${!loaded ? null : ops.length === 0 ? html`<p class="empty">${t('outboxEmpty')}</p>` : html`<ul class="cards outbox">
      ${ops.map((op) => html`<li key=${op.id} class=${`card op ${op.status}`} data-kind=${op.kind}>
        <strong>${describe(op)}</strong>
        <span class="muted">${op.label}${op.size ? ` · ${formatBytes(op.size)}` : ''}</span>
        ${progress[op.id] !== undefined && html`<progress max="1" value=${progress[op.id]}></progress>`}
        ${op.status === 'failed' && html`<span class="problem">${t('failedBecause')}${op.error}</span>
          <button class="secondary" onClick=${() => retry(op.id)}>${t('retry')}</button>`}
        ${op.status === 'pending' && op.error && html`<span class="muted">${op.error} · ${t('retryIn')}</span>`}
        ${op.status === 'pending' && op.deps.some((d) => queued.has(d)) && html`<span class="muted">${t('waitingFor')}</span>`}
      </li>`)}
    </ul>`}
  </main>`;
}
