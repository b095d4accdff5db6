// The stable codes of the release rules' refusals (release-rules.ts, deploy-target.ts): a
// typed union, so a misspelt code is a compile error. Part of `ErrorCode` (src/core/errors.ts).
export type RefusalCode =
  | 'gray_already_active'
  | 'gray_cancel_no_production'
  | 'gray_no_gray_hosts'
  | 'gray_not_active'
  | 'gray_not_gray_host'
  | 'promote_no_current'
  | 'promote_no_production'
  | 'promote_no_release'
  | 'release_changed'
  | 'release_is_production'
  | 'release_name_invalid'
  | 'review_not_active'
  | 'review_version_in_production'
  | 'review_version_to_production';
