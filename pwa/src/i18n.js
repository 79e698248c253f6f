// Interface strings: Simplified Chinese first, English by the switch in the header.
import GLOSSARY from '../../backend/glossary.json';

const STRINGS = {
  'zh-CN': {
    app: '现场档案',
    signIn: '用通行密钥登录',
    signInHint: '使用手机的指纹或面容解锁即可登录，无需密码。',
    signingIn: '正在验证…',
    signOut: '退出登录',
    enrolTitle: '欢迎加入现场档案',
    enrolFor: (name, role) => `为「${name}」（${role}）创建通行密钥`,
    enrolHint: '通行密钥保存在本设备上，以指纹或面容解锁。此链接只能使用一次，72 小时内有效。',
    enrol: '创建通行密钥',
    enrolling: '正在创建…',
    registry: '企业档案',
    search: '搜索企业名称、信用代码或地址',
    licenceMissing: '无有效许可证',
    licenceExpiring: '许可证即将到期',
    licenceValid: '许可证有效',
    overdue: '逾期未检',
    dueSoon: '30 天内到期',
    nextDue: '下次检查',
    all: '全部',
    noEnterprises: '没有符合条件的企业。',
    loadMore: '加载更多',
    loading: '加载中…',
    back: '返回',
    address: '地址',
    uscc: '统一社会信用代码',
    county: '所在区县',
    riskGrade: '风险等级',
    licences: '生产许可证',
    controlPoints: '关键控制点',
    contacts: '联系人',
    none: '无',
    validUntil: '有效期至',
    notFound: '页面不存在。',
    unsupported: '此浏览器不支持通行密钥，请使用最新版 Chrome、Edge 或 Safari。',
    roles: { inspector: '检查人员', reviewer: '审核人员', supervisor: '局领导', enterprise: '企业', admin: '管理员' },
    language: 'English',
  },
  en: {
    app: 'Field Dossier',
    signIn: 'Sign in with a passkey',
    signInHint: 'Unlock with your fingerprint or face. No password needed.',
    signingIn: 'Checking…',
    signOut: 'Sign out',
    enrolTitle: 'Welcome to Field Dossier',
    enrolFor: (name, role) => `Create a passkey for ${name} (${role})`,
    enrolHint: 'The passkey stays on this device and unlocks with your fingerprint or face. This link works once, within 72 hours.',
    enrol: 'Create passkey',
    enrolling: 'Creating…',
    registry: 'Enterprises',
    search: 'Search name, credit code or address',
    licenceMissing: 'No valid licence',
    licenceExpiring: 'Licence expiring',
    licenceValid: 'Licence valid',
    overdue: 'Visit overdue',
    dueSoon: 'Due in 30 days',
    nextDue: 'Next visit',
    all: 'All',
    noEnterprises: 'No enterprises match.',
    loadMore: 'Load more',
    loading: 'Loading…',
    back: 'Back',
    address: 'Address',
    uscc: 'Credit code (USCC)',
    county: 'County',
    riskGrade: 'Risk grade',
    licences: 'Production licences',
    controlPoints: 'Control points',
    contacts: 'Contacts',
    none: 'None',
    validUntil: 'Valid until',
    notFound: 'No such page.',
    unsupported: 'This browser cannot use passkeys. Use a recent Chrome, Edge or Safari.',
    roles: { inspector: 'Inspector', reviewer: 'Reviewer', supervisor: 'Supervisor', enterprise: 'Enterprise', admin: 'Admin' },
    language: '中文',
  },
};

// The domain's words come from the glossary the documents and exports print (visit types,
// results, item classes, severities…), one meaning each. A meaning goes by its key's name
// (results.pass and conclusions.pass are one) or by a pair the glossary declares; 一般 cannot
// be *major* here and *general item* there: a trailing 项 does not make another word.
const word = (text) => text.replace(/项$/, '');
const leaf = (path) => path.slice(path.lastIndexOf('.') + 1);
const names = (path) => new Set([leaf(path), ...GLOSSARY.same_meaning.filter((pair) => pair.includes(path)).flat().map(leaf)]);

function leaves(strings, prefix = '') {
  return Object.entries(strings).flatMap(([key, value]) => (value && typeof value === 'object'
    ? leaves(value, `${prefix}${key}.`) : typeof value === 'string' ? [[`${prefix}${key}`, value]] : []));
}

const MEANINGS = { 'zh-CN': new Map(), en: new Map() }; // word → [its glossary key, the names it goes by]
for (const [lang, meanings] of Object.entries(MEANINGS)) {
  for (const [path, text] of leaves(GLOSSARY[lang])) {
    const [first, known] = meanings.get(word(text)) || [path, names(path)];
    if (![...names(path)].some((name) => known.has(name))) throw new Error(`Glossary: "${text}" means both ${first} and ${path}`);
    meanings.set(word(text), [first, new Set([...known, ...names(path)])]);
  }
  Object.assign(STRINGS[lang], GLOSSARY[lang]);
}

// A screen module adds its own strings, so each screen keeps its words next to it. Keys are
// shared by every screen: one defined again with other words or as another kind of thing (a
// sentence here, a function there) is a mistake, and so is a glossary word with another meaning.
export function addStrings(zh, en) {
  for (const [lang, added] of [['zh-CN', zh], ['en', en]]) {
    const strings = STRINGS[lang];
    for (const [key, value] of Object.entries(added)) {
      if (key in strings && typeof strings[key] !== typeof value) {
        throw new Error(`String "${key}" is already defined as a ${typeof strings[key]}`);
      }
      if (key in strings && typeof value !== 'function' && JSON.stringify(strings[key]) !== JSON.stringify(value)) {
        throw new Error(`String "${key}" is already defined with other words`);
      }
      for (const [path, text] of leaves({ [key]: value })) {
        const [meaning, known] = MEANINGS[lang].get(word(text)) || [];
        if (meaning && !known.has(leaf(path))) throw new Error(`"${text}" (${path}) is the glossary's ${meaning}: use that`);
      }
      strings[key] = value;
    }
  }
}

export let lang = localStorage.getItem('lang') || 'zh-CN';
export const t = (key) => STRINGS[lang][key];

export function toggleLanguage() {
  lang = lang === 'zh-CN' ? 'en' : 'zh-CN';
  localStorage.setItem('lang', lang);
  document.documentElement.lang = lang;
}

// Dates as bureaus read them: Asia/Shanghai.
export const formatDate = (iso) =>
  iso ? new Date(iso.length === 10 ? `${iso}T00:00:00+08:00` : iso).toLocaleDateString(lang, { timeZone: 'Asia/Shanghai' }) : '';
