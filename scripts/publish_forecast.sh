#!/usr/bin/env bash
# The release pipeline's forecast step (docs/capacity-agent.md): publish the calendar of this commit to every cell
# Region's capacity agent, before any approval or freeze check, so a forecast-only change needs no deploy.
#
#   scripts/publish_forecast.sh <role-arn> <env>
#
# <role-arn> is the workload account's forecast publisher (<app>-<env>-forecast-publisher): it may write forecast
# versions and invoke the agents, and trusts only this step's CodeBuild role. A release started with
# FREEZE_OVERRIDE set logs it here too; the publish itself is never held by the freeze (a late forecast matters most
# during an event, and the agents lower nothing in force before its window closes).
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 <role-arn> <env>" >&2
  exit 2
fi
role_arn=$1 env=$2
override=${FREEZE_OVERRIDE:-none}
if [ -n "$override" ] && [ "$override" != "none" ]; then
  echo "forecast: release started with FREEZE_OVERRIDE='$override' (the publish does not need it)"
fi
creds=$(aws sts assume-role --role-arn "$role_arn" --role-session-name kickoff-forecast \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
read -r key secret token <<<"$creds"
AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token \
  ${PYTHON:-python} -m kickoff forecast publish -c "env=$env" --source "${CODEBUILD_RESOLVED_SOURCE_VERSION:-unknown}"
