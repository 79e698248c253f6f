// An inspector's returned uploads: the photo, the reviewer's reason, and where it belongs
// (enterprise, visit, checklist item or control point), with a retake that replaces it
// there — queued in the outbox like a visit's photos, so it works without signal too.
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api } from '../api.js';
import { queueRetake } from '../fieldwork.js';
import { PhotoButton } from '../camera.js';
import { addStrings, formatDate, t } from '../i18n.js';
import { formatTime, isVideo, Preview } from '../media.js';
import { subscribe } from '../outbox.js';
import { Link, usePages } from '../router.js';
import { CountTab, Problem } from '../ui.js';
import { reasonWords } from './outbox.js';

const PAGE = 50;
const LIST = `/api/media/returned?limit=${PAGE}`;

// The tab's label: the word and how many of your uploads wait to be put right.
const tab = html`<${CountTab} titleKey="returnedTitle" countKey="returnedCount" changed="returned-changed"
  load=${() => api(LIST).then((page) => (page.next_cursor ? `${PAGE}+` : page.items.length))} />`;
addStrings(
  {
    returnedTab: tab,
    returnedTitle: '退回',
    returnedCount: (n) => `${n} 张被退回`,
    returnedHeading: '被退回的照片',
    returnedLead: '审核人员退回了以下照片，请按原因重新拍摄后上传，新照片会替换原照片，归入同一检查项。',
    returnedEmpty: '没有被退回的照片，所有上传都已通过或正在审核。',
    reviewerSays: '退回原因',
    returnedAt: '退回时间',
    returnedVisit: '检查',
    returnedItem: '检查项',
    returnedPoint: '关键控制点',
    retake: '重新拍摄',
    retakeQueued: '已重新拍摄，等待上传（无网络时会在联网后自动上传）。',
    retakeSent: '已重新上传，替换了原照片，等待审核。',
    retakeRefused: '重新拍摄的照片被拒收：',
  },
  {
    returnedTab: tab,
    returnedTitle: 'Returned photos',
    returnedCount: (n) => `${n} returned`,
    returnedHeading: 'Returned photos',
    returnedLead: 'A reviewer returned these photos. Take each again as the reason says: the new photo replaces it, in the same item.',
    returnedEmpty: 'Nothing returned: every upload is accepted or waiting for review.',
    reviewerSays: 'Reason',
    returnedAt: 'Returned on',
    returnedVisit: 'Visit',
    returnedItem: 'Item',
    returnedPoint: 'Control point',
    retake: 'Take again',
    retakeQueued: 'Taken again, waiting to upload (without signal it goes once there is).',
    retakeSent: 'Uploaded again: it replaces the returned photo and waits for review.',
    retakeRefused: 'The new photo was refused: ',
  },
);

// Where a returned upload belongs, as its card names it.
function Where({ m }) {
  const v = m.visit_context;
  return html`
    ${v && html`<span class="small">${t('returnedVisit')}：${t('visit_types')[v.visit_type]} · ${formatDate(v.planned_date)}</span>`}
    ${v?.item_key && html`<span class="small">${t('returnedItem')}：<span class="mono">${v.item_key}</span> ${v.item_text || ''}</span>`}
    ${m.control_point_name && html`<span class="small">${t('returnedPoint')}：${m.control_point_name}</span>`}`;
}

// A retake's state: queued in the outbox (or refused there), or sent in this session.
function RetakeState({ op, sent }) {
  if (op?.status === 'failed') return html`<p class="problem small" role="alert">${t('retakeRefused')}${reasonWords(op.error)?.join(' ')}</p>`;
  if (op) return html`<p class="offline-note small" role="status">${t('retakeQueued')}</p>`;
  return sent ? html`<p class="ok small" role="status">✓ ${t('retakeSent')}</p>` : null;
}

export function Returned({ me }) {
  const list = usePages(LIST);
  const pages = list.items;
  const [retakes, setRetakes] = useState({}); // returned id -> its queued op (from the outbox)
  const [taken, setTaken] = useState(new Set()); // returned ids retaken on this screen
  useEffect(() => {
    if (list.page) dispatchEvent(new Event('returned-changed'));
  }, [list.page]);
  useEffect(() => subscribe(({ ops }) => setRetakes(Object.fromEntries(
    ops.filter((op) => op.fields?.replaces_id).map((op) => [op.fields.replaces_id, op])))), []);
  const retake = async (m, file) => {
    await queueRetake(me, m, file);
    setTaken((s) => new Set([...s, m.id]));
  };
  return html`<main>
    <h1>${t('returnedHeading')}</h1>
    <${Problem} error=${list.error} />
    ${list.loading && html`<p class="muted">${t('loading')}</p>`}
    ${list.page && pages.length === 0 && html`<p class="empty">✓ ${t('returnedEmpty')}</p>`}
    ${pages.length > 0 && html`<p class="muted">${t('returnedLead')}</p>`}
    <ul class="cards">
      ${pages.map((m) => html`<li key=${m.id} class="card returned" data-testid="returned-card">
        <${Preview} media=${m} />
        <strong>${m.enterprise_name}</strong>
        <${Where} m=${m} />
        <span class="muted">${t('media_categories')[m.category]}${m.caption ? ` · ${m.caption}` : ''}</span>
        <p class="reason"><span>${t('reviewerSays')}：</span>${m.review_reason}</p>
        <span class="muted">${t('returnedAt')} ${formatTime(m.reviewed_at)}</span>
        <${RetakeState} op=${retakes[m.id]} sent=${taken.has(m.id)} />
        ${!retakes[m.id] && !taken.has(m.id) && html`<${PhotoButton} label=${t('retake')} video=${isVideo(m)} testid="retake"
          onFile=${(file) => retake(m, file)} />`}
        <${Link} href=${`/enterprises/${m.enterprise_id}/dossier`}>${t('openDossier')} →<//>
      </li>`)}
    </ul>
    ${list.cursor && !list.loading && html`<button class="secondary" onClick=${list.more}>${t('loadMore')}</button>`}
  </main>`;
}
