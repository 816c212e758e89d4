#!/usr/bin/env bash
# The release pipeline's bake (decision 0015): watch the canary Region's region-impaired composite alarm
# for N minutes after its cell deployed, and fail the release as soon as the alarm is in ALARM.
#
#   scripts/bake.sh <role-arn> <region> <alarm-name> <minutes>
#
# <role-arn> is the canary cell's bake reader (<app>-<env>-bake): it may describe this one alarm and
# nothing else, and trusts only the bake's own CodeBuild role in the tooling account. The role is
# assumed again for every poll, so a bake longer than the role's one-hour session still reads with
# valid credentials.
# The alarm is read once a minute (its period) and once more at the end. A missing alarm fails the
# bake: a bake that watches nothing proves nothing. BAKE_SLEEP replaces `sleep` (tests).
set -euo pipefail

if [ "$#" -ne 4 ]; then
  echo "usage: $0 <role-arn> <region> <alarm-name> <minutes>" >&2
  exit 2
fi
role_arn=$1 region=$2 alarm=$3 minutes=$4
sleep_cmd=${BAKE_SLEEP:-sleep}

read_state() {
  local creds key secret token
  creds=$(aws sts assume-role --role-arn "$role_arn" --role-session-name kickoff-bake \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
  read -r key secret token <<<"$creds"
  AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token \
    aws cloudwatch describe-alarms --region "$region" --alarm-names "$alarm" --alarm-types CompositeAlarm \
    --query 'CompositeAlarms[0].StateValue' --output text
}

echo "bake: watching $alarm in $region for $minutes minutes"
for ((minute = 0; minute <= minutes; minute++)); do
  state=$(read_state)
  case "$state" in
    ALARM)
      echo "bake: FAILED at minute $minute: $alarm is in ALARM; the release stops before the next wave" >&2
      echo "bake: roll back the canary cell (docs/deploy.md, 'Stop and roll back a wave')" >&2
      exit 1
      ;;
    None | "")
      echo "bake: FAILED: alarm $alarm not found in $region; nothing to watch" >&2
      exit 1
      ;;
  esac
  echo "bake: minute $minute of $minutes: $alarm is $state"
  if [ "$minute" -lt "$minutes" ]; then
    $sleep_cmd 60
  fi
done
echo "bake: passed: $alarm stayed out of ALARM for $minutes minutes"
