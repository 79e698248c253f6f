// Choosing a warning notice for a control point: each fitting template is shown as its paper
// (A4 or A5, to scale, with the heading, title and text the printed notice carries) so the
// inspector sees what will hang on the wall, and how big, before choosing. Works offline: the
// templates are kept on the phone with the rest of the visit.
import { useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { addStrings, t } from '../i18n.js';

addStrings({
  noticeHeading: '质量安全警示告知',
  paperSizes: { A4: 'A4 纸（210×297 毫米）', A5: 'A5 纸（148×210 毫米）' },
  previewTemplate: '预览',
  hidePreview: '收起预览',
  useTemplate: '选用',
  noTemplates: '没有适用于此控制点的警示语模板。',
}, {
  noticeHeading: 'Quality and safety warning',
  paperSizes: { A4: 'A4 paper (210×297 mm)', A5: 'A5 paper (148×210 mm)' },
  previewTemplate: 'Preview',
  hidePreview: 'Hide preview',
  useTemplate: 'Use',
  noTemplates: 'No notice template fits this control point.',
});

// The printed notice in miniature (backend/notices/render.py draws the real one).
function Paper({ template, large }) {
  return html`<div class=${`paper ${template.paper_size.toLowerCase()}${large ? ' large' : ''}`} aria-hidden="true">
    <div class="paper-band">${t('noticeHeading')}</div>
    <p class="paper-title">${template.title}</p>
    ${large && template.body.split('\n').map((line, i) => html`<p key=${i} class="paper-body">${line}</p>`)}
  </div>`;
}

export function TemplateChooser({ templates, onChoose, onCancel }) {
  const [previewed, setPreviewed] = useState(null);
  return html`<div class="templates" role="group" aria-label=${t('chooseTemplate')}>
    <p class="small">${t('chooseTemplate')}</p>
    ${templates.length === 0 && html`<p class="empty small">${t('noTemplates')}</p>`}
    ${templates.map((tpl) => html`<div key=${tpl.id} class="template" data-template=${tpl.code}>
      <div class="template-row">
        <${Paper} template=${tpl} />
        <span><strong>${tpl.title}</strong><br /><span class="muted small">${t('paperSizes')[tpl.paper_size]}</span></span>
      </div>
      ${previewed === tpl.id && html`<${Paper} template=${tpl} large />`}
      <div class="actions">
        <button class="secondary" onClick=${() => onChoose(tpl)}>${t('useTemplate')}</button>
        <button class="link" aria-expanded=${previewed === tpl.id}
          onClick=${() => setPreviewed(previewed === tpl.id ? null : tpl.id)}>${t(previewed === tpl.id ? 'hidePreview' : 'previewTemplate')}</button>
      </div>
    </div>`)}
    <button class="link" onClick=${onCancel}>${t('cancel')}</button>
  </div>`;
}
