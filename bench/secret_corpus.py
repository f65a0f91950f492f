"""Planted secrets: one (or a few) of every kind redaction must catch, each in prose and in an assignment.

Used by the leak figure (`tests/learning/test_secret_leaks.py`, `bench/bench_redaction.py --leaks`):
the plants go into copies of the fixture transcripts, through every path that stores, logs or sends
text, and then every byte under the store, every log line and every request to the fake LLM is
searched for what was planted.

The secrets are built at run time from seeded random characters, so this file holds nothing a
secret scanner (or GitHub push protection) would flag.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
from dataclasses import dataclass

B62 = string.ascii_letters + string.digits
URLSAFE = B62 + "_-"
HEX = "0123456789abcdef"
UPPER_HEX = HEX.upper()
UPPER_NUM = string.ascii_uppercase + string.digits
LOWER_NUM = string.ascii_lowercase + string.digits
B64 = B62 + "+/"

#: every ASCII punctuation mark, and the ones other scripts end a sentence or a token with
PUNCTUATION = string.punctuation + "…。，、；：！？」』）»“”’"


def rand(alphabet: str, n: int, seed: str) -> str:
    """`n` seeded random characters; a letter first and a digit last, as real tokens mix both."""
    rng = random.Random(f"{seed}:{n}:{alphabet}")
    chars = [rng.choice(alphabet) for _ in range(n)]
    digits = [c for c in alphabet if c.isdigit()]
    letters = [c for c in alphabet if c.isalpha()]
    if n >= 2 and digits and letters:
        chars[0], chars[-1] = rng.choice(letters), rng.choice(digits)
    return "".join(chars)


def _uuid(seed: str) -> str:
    h = rand(HEX, 32, seed)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _pem(label: str, seed: str) -> str:
    lines = [rand(B64, 64, f"{seed}{i}") for i in range(6)] + [rand(B64, 20, seed) + "=="]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


@dataclass(frozen=True)
class Plant:
    """A secret of `kind`, and the two sentences that carry it: `{}` is the secret, `{!}` the mark
    after it (after the secret; after the URL when the secret sits inside one)."""

    kind: str
    category: str
    secret: str
    prose: str
    assignment: str

    def texts(self, mark: str) -> tuple[str, str]:
        return tuple(t.replace("{}", self.secret).replace("{!}", mark)  # type: ignore[return-value]
                     for t in (self.prose, self.assignment))

    @property
    def core(self) -> str:
        """What must not survive anywhere: the secret, or a private key's base64 lines (not its labels)."""
        lines = self.secret.replace("\\n", "\n").splitlines()
        return "\n".join(line for line in lines if not line.startswith("-----"))


def _token(kind: str, category: str, secret: str, env: str) -> Plant:
    """A token that shows what it is wherever it stands."""
    return Plant(kind, category, secret, "Always use {}{!} for the deploy, it is the one that works",
                 f"export {env}={{}}{{!}}")


def plants() -> list[Plant]:
    """One plant per way a secret shows up; more than 45 kinds (see `kinds`)."""
    s = rand
    h = _b64url(b'{"alg":"HS256","typ":"JWT"}')
    p = _b64url(json.dumps({"sub": s(HEX, 12, "jwt"), "exp": 1900000000}).encode())
    basic = base64.b64encode(b"alice:" + s(B62, 14, "basic").encode()).decode()
    tokens = [
        ("aws_access_key_id", "cloud", "AKIA" + s(UPPER_NUM, 16, "akia"), "AWS_ACCESS_KEY_ID"),
        ("google_api_key", "cloud", "AIza" + s(URLSAFE, 35, "google"), "GOOGLE_API_KEY"),
        ("google_oauth_client_secret", "cloud", "GOCSPX-" + s(URLSAFE, 28, "gocspx"), "GOOGLE_CLIENT_SECRET"),
        ("google_oauth_token", "cloud", "ya29." + s(URLSAFE, 120, "ya29"), "GOOGLE_TOKEN"),
        ("azure_ad_client_secret", "cloud", s(B62, 3, "aad1") + "8Q~" + s(B62 + "_~.-", 33, "aad2") + "x",
         "AZURE_CLIENT_SECRET"),
        ("alibaba_access_key_id", "cloud", "LTAI" + s(B62, 20, "ltai"), "ALIBABA_KEY_ID"),
        ("digitalocean_token", "cloud", "dop_v1_" + s(HEX, 64, "do"), "DIGITALOCEAN_TOKEN"),
        ("vault_token", "cloud", "hvs." + s(URLSAFE, 90, "vault"), "VAULT_TOKEN"),
        ("doppler_token", "cloud", "dp.st.dev." + s(B62, 40, "doppler"), "DOPPLER_TOKEN"),
        ("terraform_cloud_token", "cloud", s(B62, 14, "tfc1") + ".atlasv1." + s(URLSAFE, 67, "tfc2"), "TFC_TOKEN"),
        ("github_token", "vcs", "ghp_" + s(B62, 36, "ghp"), "GH_TOKEN"),
        ("github_fine_grained_token", "vcs", "github_pat_" + s(B62, 22, "pat1") + "_" + s(B62, 59, "pat2"),
         "GITHUB_PAT"),
        ("gitlab_token", "vcs", "glpat-" + s(URLSAFE, 20, "gitlab"), "GITLAB_TOKEN"),
        ("bitbucket_app_password", "vcs", "ATBB" + s(B62, 32, "bb") + s(UPPER_HEX, 8, "bb2"), "BITBUCKET_PASSWORD"),
        ("atlassian_api_token", "vcs", "ATATT3" + s(URLSAFE, 180, "atl") + "=" + s(UPPER_HEX, 8, "atl2"),
         "JIRA_API_TOKEN"),
        ("npm_token", "vcs", "npm_" + s(B62, 36, "npm"), "NPM_TOKEN"),
        ("pypi_token", "vcs", "pypi-AgEIcHlwaS5vcmc" + s(URLSAFE, 70, "pypi"), "PYPI_TOKEN"),
        ("rubygems_api_key", "vcs", "rubygems_" + s(HEX, 48, "gem"), "GEM_HOST_API_KEY"),
        ("docker_hub_token", "vcs", "dckr_pat_" + s(URLSAFE, 27, "dckr"), "DOCKER_TOKEN"),
        ("slack_token", "chat", f"xoxb-{s('0123456789', 12, 'sl1')}-{s('0123456789', 13, 'sl2')}-{s(B62, 24, 'sl3')}",
         "SLACK_BOT_TOKEN"),
        ("discord_bot_token", "chat", f"M{s(B62, 25, 'dc1')}.{s(URLSAFE, 6, 'dc2')}.{s(URLSAFE, 38, 'dc3')}",
         "DISCORD_TOKEN"),
        ("twilio_api_key", "chat", "SK" + s(HEX, 32, "twilio"), "TWILIO_API_KEY"),
        ("sendgrid_api_key", "chat", f"SG.{s(URLSAFE, 22, 'sg1')}.{s(URLSAFE, 43, 'sg2')}", "SENDGRID_API_KEY"),
        ("mailgun_api_key", "chat", "key-" + s(HEX, 32, "mailgun"), "MAILGUN_API_KEY"),
        ("mailchimp_api_key", "chat", s(HEX, 32, "mailchimp") + "-us14", "MAILCHIMP_API_KEY"),
        ("stripe_key", "payment", "sk_live_" + s(B62, 24, "stripe"), "STRIPE_SECRET_KEY"),
        ("square_token", "payment", "sq0csp-" + s(URLSAFE, 43, "sq2"), "SQUARE_SECRET"),
        ("braintree_access_token", "payment",
         "access_token$production$" + s(LOWER_NUM, 16, "bt1") + "$" + s(HEX, 32, "bt2"), "BRAINTREE_TOKEN"),
        ("shopify_token", "payment", "shpat_" + s(HEX, 32, "shop"), "SHOPIFY_TOKEN"),
        ("openai_api_key", "llm", "sk-proj-" + s(URLSAFE, 120, "oai"), "OPENAI_API_KEY"),
        ("anthropic_api_key", "llm", "sk-ant-api03-" + s(URLSAFE, 93, "ant") + "AA", "ANTHROPIC_API_KEY"),
        ("openrouter_api_key", "llm", "sk-or-v1-" + s(HEX, 64, "or"), "OPENROUTER_API_KEY"),
        ("groq_api_key", "llm", "gsk_" + s(B62, 52, "groq"), "GROQ_API_KEY"),
        ("perplexity_api_key", "llm", "pplx-" + s(B62, 48, "pplx"), "PPLX_API_KEY"),
        ("xai_api_key", "llm", "xai-" + s(B62, 80, "xai"), "XAI_API_KEY"),
        ("huggingface_token", "llm", "hf_" + s(string.ascii_letters, 33, "hf") + "7", "HF_TOKEN"),
        ("replicate_token", "llm", "r8_" + s(B62, 37, "r8"), "REPLICATE_API_TOKEN"),
        ("jwt", "jwt", f"{h}.{p}.{s(URLSAFE, 43, 'jwt')}", "SESSION_JWT"),
        ("onepassword_service_token", "platform", "ops_eyJ" + s(B62 + "+/", 250, "ops"), "OP_SERVICE_ACCOUNT_TOKEN"),
        ("supabase_token", "platform", "sbp_" + s(HEX, 40, "sbp"), "SUPABASE_ACCESS_TOKEN"),
        ("planetscale_token", "platform", "pscale_tkn_" + s(URLSAFE, 43, "pscale"), "PLANETSCALE_TOKEN"),
        ("tailscale_key", "platform", "tskey-auth-" + s(B62, 12, "ts1") + "-" + s(B62, 32, "ts2"), "TS_AUTHKEY"),
        ("grafana_token", "platform", "glsa_" + s(B62, 32, "glsa") + "_" + s(HEX, 8, "glsa2"), "GRAFANA_TOKEN"),
        ("newrelic_api_key", "platform", "NRAK-" + s(UPPER_NUM, 27, "nrak"), "NEW_RELIC_API_KEY"),
        ("sentry_token", "platform", "sntrys_" + s(B62, 60, "sentry"), "SENTRY_AUTH_TOKEN"),
        ("databricks_token", "platform", "dapi" + s(HEX, 32, "dbx"), "DATABRICKS_TOKEN"),
        ("linear_api_key", "platform", "lin_api_" + s(B62, 40, "linear"), "LINEAR_API_KEY"),
        ("notion_token", "platform", "ntn_" + s(B62, 46, "notion"), "NOTION_TOKEN"),
        ("figma_token", "platform", "figd_" + s(URLSAFE, 40, "figd"), "FIGMA_TOKEN"),
        ("netlify_token", "platform", "nfp_" + s(B62, 36, "nfp"), "NETLIFY_AUTH_TOKEN"),
        ("pulumi_token", "platform", "pul-" + s(HEX, 40, "pulumi"), "PULUMI_ACCESS_TOKEN"),
        ("postman_api_key", "platform", f"PMAK-{s(HEX, 24, 'pm1')}-{s(HEX, 34, 'pm2')}", "POSTMAN_API_KEY"),
        ("age_secret_key", "platform", "AGE-SECRET-KEY-1" + s("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58, "age"),
         "SOPS_AGE_KEY"),
    ]
    out = [_token(*t) for t in tokens]
    slack_hook = (f"https://hooks.slack.com/services/T{s(UPPER_NUM, 8, 'w1')}/B{s(UPPER_NUM, 8, 'w2')}/"
                  f"{s(B62, 24, 'w3')}")
    teams_hook = (f"https://contoso.webhook.office.com/webhookb2/{_uuid('t1')}@{_uuid('t2')}/IncomingWebhook/"
                  f"{s(HEX, 32, 't3')}/{_uuid('t4')}")
    out += [
        Plant("slack_webhook", "chat", slack_hook, "Always post the build result to {}{!} from CI",
              "SLACK_WEBHOOK_URL={}{!}"),
        Plant("teams_webhook", "chat", teams_hook, "Always send the alert card to {}{!} when it fails",
              "TEAMS_WEBHOOK={}{!}"),
        Plant("discord_webhook", "chat", s(URLSAFE, 68, "dwh"),
              "Always post to https://discord.com/api/webhooks/123456789012345678/{}{!} after a release",
              "DISCORD_HOOK=https://discord.com/api/webhooks/123456789012345678/{}{!}"),
        Plant("telegram_bot_token", "chat", "AA" + s(URLSAFE, 33, "tg"),
              "Always notify through bot 123456789:{}{!} when done", "TELEGRAM_BOT_TOKEN=123456789:{}{!}"),
        Plant("private_key", "private key", _pem("RSA PRIVATE KEY", "rsa"), "Always deploy with this key:\n{}{!}",
              "DEPLOY_KEY=\"{}{!}\""),
        Plant("private_key", "private key", _pem("OPENSSH PRIVATE KEY", "ssh"), "Always ssh in with\n{}{!}",
              "ssh_key: |\n  {}{!}"),
        Plant("aws_secret_access_key", "cloud", s(B64, 40, "aws-secret"),
              "Always configure aws_secret_access_key = {}{!} in the profile", "AWS_SECRET_ACCESS_KEY={}{!}"),
        Plant("azure_storage_key", "cloud", s(B64, 86, "azure") + "==",
              "Always connect with DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={}{!} to the storage",
              "AZURE_STORAGE=DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={}{!}"),
        Plant("azure_sas_signature", "cloud", s(B64, 43, "sas") + "%3D",
              "Always download from https://acct.blob.core.windows.net/c/b.txt?sv=2022-11-02&sp=r&sig={}{!} first",
              "BLOB_URL=https://acct.blob.core.windows.net/c/b.txt?sv=2022-11-02&sig={}{!}"),
        Plant("gcp_service_account_key", "cloud", _pem("PRIVATE KEY", "gcp").replace("\n", "\\n"),
              'Always use the service account {"type": "service_account", "private_key": "{}{!}"} for it',
              '{"type": "service_account", "private_key": "{}{!}"}'),
        Plant("database_url_password", "database url", "s3cr3t-" + s(B62, 8, "dbpw"),
              "Always connect with postgresql://app:{}@db:5432/app{!} when testing",
              "DATABASE_URL=mysql://root:{}@localhost:3306/shop{!}"),
        Plant("url_password", "basic-auth url", "Zq9" + s(B62, 12, "urlpw"),
              "Always clone from https://deploy:{}@git.example.com/r.git{!} for releases",
              "REMOTE=https://deploy:{}@git.example.com/r.git{!}"),
        Plant("bearer_token", "bearer header", s(URLSAFE, 40, "bearer"),
              "Always send Authorization: Bearer {}{!} with every call", 'headers = {"Authorization": "Bearer {}{!}"}'),
        Plant("basic_auth", "bearer header", basic, "Always send Authorization: Basic {}{!} to the proxy",
              "proxy_header: Basic {}{!}"),
        Plant("cli_secret_flag", "password", "Tr0ub4dor-" + s(B62, 6, "cli"),
              "Always run psql --password={}{!} -h db before the migration", "mysql -u root -p{}{!} shop"),
        Plant("secret_assignment", "password", "Hx7q" + s(B62, 10, "assign"), "Always set DB_PASSWORD={}{!} in .env",
              "password: {}{!}"),
        Plant("high_entropy_secret", "password", s(B62, 40, "hmac"), "Always sign with HMAC_KEY={}{!} on the server",
              "SIGNING_KEY={}{!}"),
        Plant("password_in_prose", "password", "Kx9" + s(B62, 9, "prose-en"),
              "Always log in as admin, my password is {}{!} so use it", "the admin password for staging is now {}{!}"),
        Plant("password_in_prose", "password", "Mdp4" + s(B62, 8, "prose-fr"),
              "Toujours se connecter en admin, le mot de passe : {}{!} pour le wifi", "mot de passe est {}{!}"),
        Plant("password_in_prose", "password", "zh" + s(B62, 8, "prose-zh") + "9",
              "总是用管理员登录，密码是{}{!}，记住", "数据库密码为{}{!}"),
        Plant("secret_in_prose", "password", s(B62, 24, "prose-key"),
              "Always call it with my API key is {}{!} for staging", "the access token is {}{!}"),
    ]
    return out


def kinds(items: list[Plant] | None = None) -> list[str]:
    """The distinct kinds planted."""
    return sorted({p.kind for p in items or plants()})


def planted_lines(marks: str = PUNCTUATION, items: list[Plant] | None = None) -> list[str]:
    """Every plant, in prose and in an assignment, followed by each mark (a private key takes several lines)."""
    lines: list[str] = []
    for plant in items or plants():
        for mark in marks:
            lines += plant.texts(mark)
    return lines


_RUN = re.compile(rb"[^\s\"'\\]{10,}")


def leaks(data: bytes, items: list[Plant] | None = None, *, width: int = 10) -> dict[str, list[str]]:
    """Per kind, the planted secrets with any `width`-character piece in `data` (bytes of a file, a log,
    a request), in any case (a keyword index keeps tokens in lowercase).

    One pass over `data`: each run of characters a secret can hold is cut into windows, looked up in
    a table of every secret's windows (a piece the carrier sentence or a marker holds anyway, like
    `github_pat` in `GITHUB_PAT=`, says nothing and is left out of it).
    """
    from autoskill_mcp.learning.redaction import KINDS

    table: dict[bytes, Plant] = {}
    for plant in items or plants():
        secret = plant.core
        known = (plant.prose + plant.assignment + " ".join(KINDS)).lower()
        for i in range(max(1, len(secret) - width + 1)):
            piece = secret[i:i + width].lower()
            if "\n" not in piece and piece not in known:
                table.setdefault(piece.encode(), plant)
    found: dict[str, dict[str, None]] = {}
    for m in _RUN.finditer(data.lower()):
        run = m.group()
        for i in range(len(run) - width + 1):
            plant = table.get(run[i:i + width])
            if plant is not None:
                found.setdefault(plant.kind, {})[plant.secret[:12] + "…"] = None
    return {kind: list(secrets) for kind, secrets in found.items()}
