import type { RefusalCode } from '../domain/refusal-code.ts';

/**
 * Every code a DeploybotError carries (grep `new DeploybotError(` / `RefusedError(`): a typed
 * union, so a misspelt code is a compile error. Codes are stable: they survive a process
 * boundary in job results and tests match on them.
 */
export type ErrorCode =
  | RefusalCode
  | 'accept_deadline_passed'
  | 'bad_schedule'
  | 'freeze_not_allowed'
  | 'frozen'
  | 'not_frozen'
  | 'outside_window'
  | 'already_finished'
  | 'already_locked'
  | 'deploy_ended'
  | 'embedded_store_elsewhere'
  | 'host_path_escapes'
  | 'record_timeout'
  | 'approval_expired'
  | 'approval_refused'
  | 'auth_failed'
  | 'bad_build_output'
  | 'bad_config_zoo'
  | 'bad_host_key'
  | 'bad_path'
  | 'bad_plan'
  | 'body_too_large'
  | 'build_failed'
  | 'build_output_missing'
  | 'cancel_not_allowed'
  | 'checkout_failed'
  | 'checksum_failed'
  | 'checksum_mismatch'
  | 'deploy_id_taken'
  | 'deploy_record_contended'
  | 'dingtalk_api_error'
  | 'editor_closed'
  | 'exec_failed'
  | 'git_failed'
  | 'git_fetch_failed'
  | 'hook_failed'
  | 'host_key_mismatch'
  | 'host_unreachable'
  | 'http_listen_failed'
  | 'invalid_name'
  | 'invalid_port'
  | 'invalid_ref'
  | 'invalid_transition'
  | 'locked'
  | 'no_hosts'
  | 'not_locked'
  | 'not_switched'
  | 'notifier_stopped'
  | 'package_changed'
  | 'package_failed'
  | 'packager_template_invalid'
  | 'process_stop_failed'
  | 'promote_pending'
  | 'redis_url_missing'
  | 'ref_not_allowed'
  | 'relay_failed'
  | 'release_mismatch'
  | 'release_state_corrupt'
  | 'release_store_busy'
  | 'remote_command_failed'
  | 'retry_location_changed'
  | 'retry_not_allowed'
  | 'retry_not_possible'
  | 'rollback_no_target'
  | 'rollback_preflight_failed'
  | 'rollback_target_invalid'
  | 'rollback_target_missing'
  | 'rollback_target_unknown'
  | 'sandbox_unavailable'
  | 'service_missing'
  | 'service_start_failed'
  | 'sftp_failed'
  | 'slack_api_error'
  | 'slack_auth_failed'
  | 'state_store_unreachable'
  | 'switch_failed'
  | 'switch_unverified'
  | 'timeout'
  | 'unknown_commit'
  | 'unknown_deploy'
  | 'unknown_hook_template'
  | 'unknown_host'
  | 'unknown_key'
  | 'unknown_location'
  | 'unknown_market'
  | 'unknown_project'
  | 'unknown_ref'
  | 'unlock_not_allowed'
  | 'unpack_failed'
  | 'upload_failed'
  | 'wait_timeout'
  | 'zookeeper_auth_missing'
  | 'zookeeper_busy'
  | 'zookeeper_error'
  | 'zookeeper_unavailable'
  // progressive rollout (docs/configuration.md, "Health and rollout")
  | 'rollout_control_not_allowed'
  | 'not_rolling_out'
  | 'rollout_paused';

/**
 * The one error base class. `code` is stable and machine-readable (it survives a process
 * boundary in job results); `message` tells the user what went wrong and what to do next.
 */
export class DeploybotError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'DeploybotError';
  }
}

/** An expected stop (locked, refused by a rule, rejected): reported plainly, never as a crash. */
export class RefusedError extends DeploybotError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'RefusedError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
