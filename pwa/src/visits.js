// Words for visits and findings, shared by the review queue and the dossier.
import { addStrings } from './i18n.js';

addStrings(
  {
    visitTypes: {
      routine: '日常检查', licence_verification: '许可现场核查', follow_up: '回访复查', complaint: '投诉举报核查',
      special_campaign: '专项整治',
    },
    visitStatus: { planned: '计划中', submitted: '待审核', accepted: '已通过', returned: '已退回' },
    conclusions: { pass: '合格', pass_with_rectification: '限期整改', fail: '不合格' },
    severities: { critical: '严重', major: '一般', minor: '轻微' },
  },
  {
    visitTypes: {
      routine: 'Routine', licence_verification: 'Licence verification', follow_up: 'Follow-up', complaint: 'Complaint',
      special_campaign: 'Special campaign',
    },
    visitStatus: { planned: 'Planned', submitted: 'Waiting for review', accepted: 'Accepted', returned: 'Returned' },
    conclusions: { pass: 'Pass', pass_with_rectification: 'Pass, rectify by the deadline', fail: 'Fail' },
    severities: { critical: 'Critical', major: 'Major', minor: 'Minor' },
  },
);
