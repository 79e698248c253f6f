// An inspector's returned uploads: the photo and the reviewer's reason, so it can be put right.
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api } from '../api.js';
import { addStrings, t } from '../i18n.js';
import { formatTime, Preview } from '../media.js';
import { Link, usePages } from '../router.js';
import { Problem } from '../ui.js';

const PAGE = 50;

// The tab's label: the word and how many of your uploads wait to be put right. A
// component, so that the tab table keeps one plain [path, key] line.
function ReturnedTab() {
  const [count, setCount] = useState(null);
  useEffect(() => {
    const refresh = () => api(`/api/media/mine?status=returned&limit=${PAGE}`).then(
      (page) => setCount(page.next_cursor ? `${PAGE}+` : page.items.length), () => setCount(null));
    refresh();
    addEventListener('returned-changed', refresh);
    return () => removeEventListener('returned-changed', refresh);
  }, []);
  return html`${t('returnedTitle')}${count ? html` <span class="count" aria-label=${t('returnedCount')(count)}>${count}</span>` : ''}`;
}

const tab = html`<${ReturnedTab} />`;
addStrings(
  {
    returnedTab: tab,
    returnedTitle: '退回',
    returnedCount: (n) => `${n} 张被退回`,
    returnedHeading: '被退回的照片',
    returnedLead: '审核人员退回了以下照片，请按原因重新拍摄或补充后上传。',
    returnedEmpty: '没有被退回的照片，所有上传都已通过或正在审核。',
    reviewerSays: '退回原因',
    returnedAt: '退回时间',
  },
  {
    returnedTab: tab,
    returnedTitle: 'Returned photos',
    returnedCount: (n) => `${n} returned`,
    returnedHeading: 'Returned photos',
    returnedLead: 'A reviewer returned these photos. Take them again or add what is missing, as the reason says.',
    returnedEmpty: 'Nothing returned: every upload is accepted or waiting for review.',
    reviewerSays: 'Reason',
    returnedAt: 'Returned on',
  },
);

export function Returned() {
  const list = usePages(`/api/media/mine?status=returned&limit=${PAGE}`);
  const pages = list.items;
  useEffect(() => {
    if (list.page) dispatchEvent(new Event('returned-changed'));
  }, [list.page]);
  return html`<main>
    <h1>${t('returnedHeading')}</h1>
    <${Problem} error=${list.error} />
    ${list.loading && html`<p class="muted">${t('loading')}</p>`}
    ${list.page && pages.length === 0 && html`<p class="empty">✓ ${t('returnedEmpty')}</p>`}
    ${pages.length > 0 && html`<p class="muted">${t('returnedLead')}</p>`}
    <ul class="cards">
      ${pages.map((m) => html`<li key=${m.id} class="card returned">
        <${Preview} media=${m} />
        <strong>${m.enterprise_name}</strong>
        <span class="muted">${t('media_categories')[m.category]}${m.caption ? ` · ${m.caption}` : ''}</span>
        <p class="reason"><span>${t('reviewerSays')}：</span>${m.review_reason}</p>
        <span class="muted">${t('returnedAt')} ${formatTime(m.reviewed_at)}</span>
        <${Link} href=${`/enterprises/${m.enterprise_id}/dossier`}>${t('openDossier')} →<//>
      </li>`)}
    </ul>
    ${list.cursor && !list.loading && html`<button class="secondary" onClick=${list.more}>${t('loadMore')}</button>`}
  </main>`;
}
