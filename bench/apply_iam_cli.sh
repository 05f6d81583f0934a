#!/usr/bin/env bash
# Steps 6a, 6b and 6c of `connect-sso apply` as a careful AWS CLI script: the same IAM
# calls the ensures in src/cloud/ensure.rs make, in the same order, with the same
# documents and tags. The baseline of bench/apply_vs_cli.sh (the counterpart of
# examples/apply_iam.rs); a shell script runs 6a and 6b one after the other.
#
# Usage: apply_iam_cli.sh METADATA_FILE PROVIDER_NAME POLICY_NAME ROLE_NAME
# The endpoint comes from AWS_ENDPOINT_URL when set (moto), credentials from the environment.
set -euo pipefail

[ $# -eq 4 ] || { echo "usage: $0 METADATA_FILE PROVIDER_NAME POLICY_NAME ROLE_NAME" >&2; exit 2; }
metadata=$1 provider=$2 policy=$3 role=$4

account=123456789012
instance_id=12345678-90ab-cdef-1234-567890abcdef
instance_arn="arn:aws:connect:us-east-1:$account:instance/$instance_id"
provider_arn="arn:aws:iam::$account:saml-provider/$provider"
policy_arn="arn:aws:iam::$account:policy/$policy"
role_arn="arn:aws:iam::$account:role/$role"
acs_url="https://signin.aws.amazon.com/saml"
tags=(Key=managed-by,Value=connect-sso "Key=connect-sso:instance-id,Value=$instance_id")

# The documents Setup::permissions_policy() and Setup::trust_policy() generate.
permissions_policy='{"Version":"2012-10-17","Statement":[{"Sid":"ConnectFederation","Effect":"Allow","Action":"connect:GetFederationToken","Resource":"'"$instance_arn"'/user/${aws:userid}"}]}'
trust_policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"'"$provider_arn"'"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"'"$acs_url"'"}}}]}'

iam() {
  if [ -n "${AWS_ENDPOINT_URL:-}" ]; then
    aws iam --endpoint-url "$AWS_ENDPOINT_URL" --output json "$@"
  else
    aws iam --output json "$@"
  fi
}

# Runs a read; prints its output, or nothing when the entity does not exist (exit 0).
# Any other failure stops the script.
read_or_missing() {
  local out err
  err=$(mktemp)
  if out=$(iam "$@" 2>"$err"); then
    rm -f "$err"
    printf '%s' "$out"
  elif grep -q NoSuchEntity "$err"; then
    rm -f "$err"
  else
    cat "$err" >&2
    rm -f "$err"
    exit 1
  fi
}

same_json() { [ "$(jq -cS . <<<"$1")" = "$(jq -cS . <<<"$2")" ]; }

warn_unmanaged() { # JSON tag list, what
  jq -e 'any(.[]?; .Key == "managed-by")' <<<"$1" >/dev/null \
    || echo "    warning: the $2 existed before and was not created by connect-sso" >&2
}

# 6a: the SAML provider holds the current metadata.
got=$(read_or_missing get-saml-provider --saml-provider-arn "$provider_arn")
if [ -z "$got" ]; then
  iam create-saml-provider --name "$provider" --saml-metadata-document "file://$metadata" \
    --tags "${tags[@]}" >/dev/null
  [ -n "$(read_or_missing get-saml-provider --saml-provider-arn "$provider_arn")" ] \
    || echo "    warning: IAM does not show the new SAML provider yet" >&2
  echo "6a  SAML provider created         $provider_arn"
else
  warn_unmanaged "$(jq '.Tags // []' <<<"$got")" "SAML provider"
  if [ "$(jq -r .SAMLMetadataDocument <<<"$got")" = "$(cat "$metadata")" ]; then
    echo "6a  SAML provider already correct $provider_arn"
  else
    iam update-saml-provider --saml-provider-arn "$provider_arn" \
      --saml-metadata-document "file://$metadata" >/dev/null
    iam get-saml-provider --saml-provider-arn "$provider_arn" >/dev/null
    echo "6a  SAML provider updated         $provider_arn"
  fi
fi

# 6b: the policy's default version is the generated permissions policy.
got=$(read_or_missing get-policy --policy-arn "$policy_arn")
if [ -z "$got" ]; then
  iam create-policy --policy-name "$policy" --policy-document "$permissions_policy" \
    --tags "${tags[@]}" >/dev/null
  echo "6b  policy        created         $policy_arn"
else
  warn_unmanaged "$(jq '.Policy.Tags // []' <<<"$got")" "policy"
  default=$(jq -r .Policy.DefaultVersionId <<<"$got")
  current=$(iam get-policy-version --policy-arn "$policy_arn" --version-id "$default" \
    --query PolicyVersion.Document)
  if same_json "$current" "$permissions_policy"; then
    echo "6b  policy        already correct $policy_arn"
  else
    versions=$(iam list-policy-versions --policy-arn "$policy_arn")
    if [ "$(jq '.Versions | length' <<<"$versions")" -ge 5 ]; then
      oldest=$(jq -r '[.Versions[] | select(.IsDefaultVersion | not)] | sort_by(.CreateDate) | .[0].VersionId' <<<"$versions")
      iam delete-policy-version --policy-arn "$policy_arn" --version-id "$oldest" >/dev/null
    fi
    version=$(iam create-policy-version --policy-arn "$policy_arn" \
      --policy-document "$permissions_policy" --set-as-default \
      --query PolicyVersion.VersionId --output text)
    iam get-policy-version --policy-arn "$policy_arn" --version-id "$version" >/dev/null
    echo "6b  policy        updated         $policy_arn"
  fi
fi

# 6c: the role trusts the provider and has the policy attached.
changed=false
got=$(read_or_missing get-role --role-name "$role")
if [ -z "$got" ]; then
  iam create-role --role-name "$role" --assume-role-policy-document "$trust_policy" \
    --tags "${tags[@]}" >/dev/null
  iam attach-role-policy --role-name "$role" --policy-arn "$policy_arn"
  changed=true
else
  warn_unmanaged "$(jq '.Role.Tags // []' <<<"$got")" "role"
  if ! same_json "$(jq .Role.AssumeRolePolicyDocument <<<"$got")" "$trust_policy"; then
    iam update-assume-role-policy --role-name "$role" --policy-document "$trust_policy"
    changed=true
  fi
  attached=$(iam list-attached-role-policies --role-name "$role")
  if ! jq -e --arg p "$policy_arn" 'any(.AttachedPolicies[]; .PolicyArn == $p)' <<<"$attached" >/dev/null; then
    iam attach-role-policy --role-name "$role" --policy-arn "$policy_arn"
    changed=true
  fi
  jq -r --arg p "$policy_arn" '.AttachedPolicies[] | select(.PolicyArn != $p) | "    warning: the role also has \(.PolicyName) attached"' <<<"$attached" >&2
  iam list-role-policies --role-name "$role" \
    | jq -r '.PolicyNames[] | "    warning: the role also has the inline policy \(.)"' >&2
fi
# Connect takes one federation role per instance: warn about other roles trusting the provider.
iam list-roles | jq -r --arg r "$role" --arg p "$provider_arn" '
  .Roles[] | select(.RoleName != $r)
  | select([.AssumeRolePolicyDocument.Statement | if type == "array" then .[] else . end
            | .Principal.Federated? | if type == "array" then .[] else . end] | index($p))
  | "    warning: role \(.RoleName) also federates into this instance"' >&2
if $changed; then
  same_json "$(iam get-role --role-name "$role" --query Role.AssumeRolePolicyDocument)" "$trust_policy" \
    || echo "    warning: IAM does not show the new role trust policy yet" >&2
  [ -z "$got" ] && echo "6c  role          created         $role_arn" \
    || echo "6c  role          updated         $role_arn"
else
  echo "6c  role          already correct $role_arn"
fi
