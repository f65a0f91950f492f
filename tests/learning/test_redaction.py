"""Secret redaction: every kind is found and replaced, ordinary code and text stay intact.

Secrets in this file are assembled at run time from seeded random characters, so the file
itself holds nothing a secret scanner (or GitHub push protection) would flag.
"""

from __future__ import annotations

import base64
import codecs
import importlib.util
import json
import random
import re
import string
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autoskill_mcp.learning.redaction import KINDS, Finding, Redacted, marker, redact, redact_session
from autoskill_mcp.learning.session import Event, Kind, Role, Session, ToolUse

REPO = Path(__file__).resolve().parents[2]
TRANSCRIPTS = REPO / "tests" / "fixtures" / "transcripts"

B62 = string.ascii_letters + string.digits
URLSAFE = B62 + "_-"
HEX = "0123456789abcdef"
UPPER_NUM = string.ascii_uppercase + string.digits
B64 = B62 + "+/"
UPPER_HEX = "0123456789ABCDEF"
LOWER_NUM = string.ascii_lowercase + string.digits


def rand(alphabet: str, n: int, seed: str) -> str:
    """`n` seeded random characters; tokens get at least one digit and one letter, like real ones."""
    rng = random.Random(f"{seed}:{n}:{alphabet}")
    chars = [rng.choice(alphabet) for _ in range(n)]
    digits = [c for c in alphabet if c.isdigit()]
    letters = [c for c in alphabet if c.isalpha()]
    if n >= 2 and digits and letters:
        chars[0], chars[-1] = rng.choice(letters), rng.choice(digits)
    return "".join(chars)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def pem(label: str, seed: str, *, escaped: bool = False) -> str:
    lines = [rand(B64, 64, f"{seed}{i}") for i in range(6)] + [rand(B64, 20, seed) + "=="]
    nl = "\\n" if escaped else "\n"
    return f"-----BEGIN {label}-----{nl}" + nl.join(lines) + f"{nl}-----END {label}-----"


def uuid(seed: str) -> str:
    """A random (version 4) UUID built from `seed`."""
    h = rand(HEX, 32, seed)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def jwt(seed: str) -> str:
    header = b64url(b'{"alg":"HS256","typ":"JWT"}')
    payload = b64url(json.dumps({"sub": rand(HEX, 12, seed), "exp": 1900000000}).encode())
    return f"{header}.{payload}.{rand(URLSAFE, 43, seed)}"


@dataclass(frozen=True)
class Case:
    kind: str
    secret: str           # what must disappear
    context: str          # the text around it; "{}" marks where the secret goes

    @property
    def text(self) -> str:
        return self.context.replace("{}", self.secret)


def cases() -> list[Case]:
    s = rand  # short alias: s(alphabet, n, seed)
    gcp = json.dumps({"type": "service_account", "project_id": "demo", "private_key_id": s(HEX, 40, "gcp-id"),
                      "private_key": pem("PRIVATE KEY", "gcp") + "\n",
                      "client_email": "bot@demo.iam.gserviceaccount.com"},
                     indent=2)
    gcp_key = json.loads(gcp)["private_key"]
    basic = base64.b64encode(b"alice:" + s(B62, 14, "basic").encode()).decode()
    return [
        Case("private", "<private>my address is 1 Main St\nmy phone is 555-0100</private>", "note: {} end"),
        Case("private", "<PRIVATE>client name: ACME</Private >", "{} and more"),
        Case("private_key", pem("RSA PRIVATE KEY", "rsa"), "$ cat id_rsa\n{}\n$ ls"),
        Case("private_key", pem("OPENSSH PRIVATE KEY", "ssh"), "{}"),
        Case("private_key", pem("EC PRIVATE KEY", "ec", escaped=True), '{"content": "{}"}'),
        Case("private_key", pem("PGP PRIVATE KEY BLOCK", "pgp"), "key:\n{}\n"),
        Case("private_key", pem("ENCRYPTED PRIVATE KEY", "enc").split("-----END")[0], "truncated output:\n{}"),
        Case("gcp_service_account_key", json.dumps(gcp_key)[1:-1], gcp.replace(json.dumps(gcp_key)[1:-1], "{}")),
        Case("anthropic_api_key", "sk-ant-api03-" + s(URLSAFE, 93, "ant") + "AA", "ANTHROPIC_API_KEY={}"),
        Case("openrouter_api_key", "sk-or-v1-" + s(HEX, 64, "or"), "key: {}"),
        Case("openai_api_key", "sk-proj-" + s(URLSAFE, 120, "oai"), "client = OpenAI(api_key='{}')"),
        Case("openai_api_key", "sk-" + s(B62, 48, "oai-legacy"), "use {} for now"),
        Case("google_api_key", "AIza" + s(URLSAFE, 35, "google"), "?key={}&q=x"),
        Case("github_token", "ghp_" + s(B62, 36, "ghp"), "git clone https://{}@github.com/o/r"),
        Case("github_token", "ghs_" + s(B62, 36, "ghs"), "GH_TOKEN={} gh pr list"),
        Case("github_fine_grained_token", "github_pat_" + s(B62, 22, "pat1") + "_" + s(B62, 59, "pat2"), "token {} ok"),
        Case("gitlab_token", "glpat-" + s(URLSAFE, 20, "gitlab"), "PRIVATE-TOKEN: {}"),
        Case("slack_token", f"xoxb-{s('0123456789', 12, 'sl1')}-{s('0123456789', 13, 'sl2')}-{s(B62, 24, 'sl3')}",
             "SLACK_BOT={}"),
        Case("slack_webhook", f"https://hooks.slack.com/services/T{s(UPPER_NUM, 8, 'w1')}/B{s(UPPER_NUM, 8, 'w2')}/"
                              f"{s(B62, 24, 'w3')}", "curl -X POST {} -d '{\"text\": \"hi\"}'"),
        Case("stripe_key", "sk_live_" + s(B62, 24, "stripe"), "stripe.api_key = {}"),
        Case("stripe_key", "whsec_" + s(B62, 32, "whsec"), "secret is {}"),
        Case("aws_access_key_id", "AKIA" + s(UPPER_NUM, 16, "akia"), "aws_access_key_id = {}"),
        Case("aws_access_key_id", "ASIA" + s(UPPER_NUM, 16, "asia"), '"AccessKeyId": "{}"'),
        Case("aws_secret_access_key", s(B64, 40, "aws-secret"), "[default]\naws_secret_access_key = {}\n"),
        Case("azure_storage_key", s(B64, 86, "azure") + "==",
             "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={};EndpointSuffix=core.windows.net"),
        Case("azure_sas_signature", s(B64, 43, "sas") + "%3D",
             "https://acct.blob.core.windows.net/c/b.txt?sv=2022-11-02&sp=r&se=2030-01-01&sig={}"),
        Case("huggingface_token", "hf_" + s(string.ascii_letters, 33, "hf") + "7", "HF_TOKEN={}"),
        Case("npm_token", "npm_" + s(B62, 36, "npm"), "NPM_TOKEN={}"),
        Case("npm_token", s(URLSAFE, 40, "npmrc"), "//registry.npmjs.org/:_authToken={}\n"),
        Case("pypi_token", "pypi-AgEIcHlwaS5vcmc" + s(URLSAFE, 70, "pypi"), "password = {}"),
        Case("twilio_api_key", "SK" + s(HEX, 32, "twilio"), "api key sid {}"),
        Case("sendgrid_api_key", f"SG.{s(URLSAFE, 22, 'sg1')}.{s(URLSAFE, 43, 'sg2')}", "SENDGRID={}"),
        Case("mailgun_api_key", "key-" + s(HEX, 32, "mailgun"), "auth=('api', '{}')"),
        Case("discord_bot_token", f"M{s(B62, 25, 'dc1')}.{s(URLSAFE, 6, 'dc2')}.{s(URLSAFE, 38, 'dc3')}",
             "client.run('{}')"),
        Case("discord_webhook", s(URLSAFE, 68, "dwh"), "https://discord.com/api/webhooks/123456789012345678/{}"),
        Case("telegram_bot_token", "AA" + s(URLSAFE, 33, "tg"), "https://api.telegram.org/bot123456789:{}/getMe"),
        Case("jwt", jwt("jwt"), "Cookie: session={}"),
        Case("groq_api_key", "gsk_" + s(B62, 52, "groq"), "GROQ={}"),
        Case("replicate_token", "r8_" + s(B62, 37, "r8"), "export R={}"),
        Case("perplexity_api_key", "pplx-" + s(B62, 48, "pplx"), "key={}"),
        Case("xai_api_key", "xai-" + s(B62, 80, "xai"), "XAI={}"),
        Case("shopify_token", "shpat_" + s(HEX, 32, "shop"), "X-Shopify-Access-Token: {}"),
        Case("digitalocean_token", "dop_v1_" + s(HEX, 64, "do"), "doctl auth init -t {}"),
        Case("vault_token", "hvs." + s(URLSAFE, 90, "vault"), "VAULT_TOKEN={}"),
        Case("doppler_token", "dp.pt." + s(B62, 43, "doppler"), "DOPPLER={}"),
        Case("databricks_token", "dapi" + s(HEX, 32, "dbx"), "DATABRICKS={}"),
        Case("sentry_token", "sntrys_" + s(B62, 60, "sentry"), "SENTRY_AUTH={}"),
        Case("linear_api_key", "lin_api_" + s(B62, 40, "linear"), "LINEAR={}"),
        Case("notion_token", "ntn_" + s(B62, 46, "notion"), "NOTION={}"),
        Case("postman_api_key", f"PMAK-{s(HEX, 24, 'pm1')}-{s(HEX, 34, 'pm2')}", "POSTMAN={}"),
        Case("age_secret_key", "AGE-SECRET-KEY-1" + s("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58, "age"), "# key\n{}\n"),
        Case("url_password", "Zq9" + s(B62, 12, "urlpw"), "git remote add o https://deploy:{}@git.example.com/r.git"),
        Case("url_password", "hunter2", "ftp://anna:{}@files.example.org/pub"),
        Case("database_url_password", "s3cr3t-" + s(B62, 8, "dbpw"), "DATABASE_URL=postgresql://app:{}@db:5432/app"),
        Case("database_url_password", "Pa55word", "mongodb+srv://admin:{}@cluster0.example.net/test"),
        Case("database_url_password", "x9y8z7", "jdbc:mysql://root:{}@localhost:3306/shop"),
        Case("bearer_token", s(URLSAFE, 40, "bearer"), 'curl -H "Authorization: Bearer {}" https://api'),
        Case("bearer_token", s(B62, 40, "ghtok"), "Authorization: token {}"),
        Case("basic_auth", basic, "Authorization: Basic {}"),
        Case("cli_secret_flag", "Tr0ub4dor&3", "mysql --password 'Tr0ub4dor&3' db".replace("Tr0ub4dor&3", "{}")),
        Case("cli_secret_flag", "hunter2", "psql --password=hunter2 -h db".replace("hunter2", "{}")),
        Case("cli_secret_flag", "n0t-a-real-pw", "curl -u admin:{} https://example.com"),
        Case("cli_secret_flag", "S3cret!", "mysql -u root -p{} shop"),
        Case("cli_secret_flag", s(B62, 32, "cli-token"), "gh secret set --token {} x"),
        Case("secret_assignment", "hunter2", "DB_PASSWORD={}\nDB_HOST=localhost"),
        Case("secret_assignment", "correct horse battery", 'PASSWORD="{}"'),
        Case("secret_assignment", s(B62, 32, "export"), "export X_TOKEN={}"),
        Case("secret_assignment", "Sup3rSecret", '{"username": "bob", "password": "{}"}'),
        Case("secret_assignment", "yamlpass", "database:\n  user: app\n  password: {}\n"),
        Case("secret_assignment", "t0ml-" + s(B62, 20, "toml"), '[server]\nsecret_key = "{}"\n'),
        Case("secret_assignment", "hunter22", 'login(user, password="{}")'),
        Case("secret_assignment", "hunter", "https://example.com/login?user=bob&password={}"),
        Case("secret_assignment", s(B62, 24, "client"), "clientSecret: '{}'"),
        Case("secret_assignment", "letmein1", 'os.environ["API_PASSWORD"] = "{}"'),
        Case("secret_assignment", s(B62, 40, "escaped"), '{"command": "curl -d \'{\\"api_key\\": \\"{}\\"}\'"}'),
        Case("high_entropy_secret", s(B62, 40, "hmac"), "HMAC_KEY={}"),
        Case("high_entropy_secret", s(B64, 44, "cookie"), '"session_cookie": "{}"'),
        # kinds added for issue 13 (cloud, VCS, chat, payment and platform tokens; passwords in prose)
        Case("atlassian_api_token", "ATATT3" + s(URLSAFE, 180, "atl") + "=" + s(UPPER_HEX, 8, "atl2"),
             "use {} for jira"),
        Case("bitbucket_app_password", "ATBB" + s(B62, 32, "bb") + s(UPPER_HEX, 8, "bb2"), "app password {} works"),
        Case("doppler_token", "dp.st.dev." + s(B62, 40, "doppler-env"), "the service token {} is for dev"),
        Case("google_oauth_client_secret", "GOCSPX-" + s(URLSAFE, 28, "gocspx"), "oauth client {} from the console"),
        Case("google_oauth_token", "ya29." + s(URLSAFE, 150, "ya29"), "gcloud printed {} as the token"),
        Case("google_oauth_token", "1//0" + s(URLSAFE, 100, "refresh"), "refresh token {} from the flow"),
        Case("azure_ad_client_secret", s(B62, 3, "aad1") + "8Q~" + s(B62 + "_~.-", 33, "aad2") + "x",
             "app registration secret {} expires in 2026"),
        Case("teams_webhook", f"https://contoso.webhook.office.com/webhookb2/{uuid('t1')}@{uuid('t2')}"
                              f"/IncomingWebhook/{s(HEX, 32, 't3')}/{uuid('t4')}", "POST the card to {} now"),
        Case("square_token", "sq0atp-" + s(URLSAFE, 22, "sq1"), "square sandbox {} works"),
        Case("square_token", "sq0csp-" + s(URLSAFE, 43, "sq2"), "square app {} here"),
        Case("square_token", "EAAA" + s(URLSAFE, 60, "sq3"), "square access {} here"),
        Case("braintree_access_token", "access_token$production$" + s(LOWER_NUM, 16, "bt1") + "$" + s(HEX, 32, "bt2"),
             "braintree gateway {} live"),
        Case("mailchimp_api_key", s(HEX, 32, "mailchimp") + "-us14", "mailchimp {} for the list"),
        Case("newrelic_api_key", "NRAK-" + s(UPPER_NUM, 27, "nrak"), "new relic {} in the agent"),
        Case("docker_hub_token", "dckr_pat_" + s(URLSAFE, 27, "dckr"), "echo {} | docker login --password-stdin"),
        Case("supabase_token", "sbp_" + s(HEX, 40, "sbp"), "supabase login with {} today"),
        Case("supabase_token", "sb_secret_" + s(URLSAFE, 32, "sbsecret"), "supabase service {} here"),
        Case("planetscale_token", "pscale_tkn_" + s(URLSAFE, 43, "pscale"), "planetscale {} here"),
        Case("planetscale_token", "pscale_pw_" + s(URLSAFE, 43, "pscale-pw"), "branch password {} here"),
        Case("tailscale_key", "tskey-auth-" + s(B62, 12, "ts1") + "-" + s(B62, 32, "ts2"),
             "tailscale up --auth-key {}"),
        Case("onepassword_service_token", "ops_eyJ" + s(B62 + "+/", 250, "ops"), "op service account {} here"),
        Case("mapbox_secret_token", "sk.eyJ" + s(URLSAFE, 60, "mapbox1") + "." + s(URLSAFE, 22, "mapbox2"),
             "mapbox download {} here"),
        Case("alibaba_access_key_id", "LTAI" + s(B62, 20, "ltai"), "aliyun key id {} here"),
        Case("terraform_cloud_token", s(B62, 14, "tfc1") + ".atlasv1." + s(URLSAFE, 67, "tfc2"),
             "terraform login gave {}"),
        Case("grafana_token", "glsa_" + s(B62, 32, "glsa") + "_" + s(HEX, 8, "glsa2"),
             "grafana service account {} here"),
        Case("grafana_token", "glc_" + s(B64, 80, "glc") + "==", "grafana cloud {} here"),
        Case("figma_token", "figd_" + s(URLSAFE, 40, "figd"), "figma {} here"),
        Case("pulumi_token", "pul-" + s(HEX, 40, "pulumi"), "pulumi login with {} here"),
        Case("netlify_token", "nfp_" + s(B62, 36, "nfp"), "netlify {} here"),
        Case("dynatrace_token", "dt0c01." + s(UPPER_NUM, 24, "dt1") + "." + s(UPPER_NUM, 64, "dt2"),
             "dynatrace {} here"),
        Case("rubygems_api_key", "rubygems_" + s(HEX, 48, "gem"), "gem push with {} here"),
        Case("password_in_prose", "Hx7qLm2w", "my password is {} so log in"),
        Case("password_in_prose", "Tr0ub4dor&3", "The pw is {} for now"),
        Case("password_in_prose", "soleil42", "le mot de passe : {} pour le wifi"),
        Case("password_in_prose", "hunter22", "密码是{}，记住"),
        Case("password_in_prose", "Kx9-bank-7", "Das Passwort ist {} und gilt bis Freitag"),
        Case("password_in_prose", "Fr1day!!x", "the admin password for staging is now {} ok"),
        Case("password_in_prose", "qwe9rty", "la contraseña es «{}» hoy"),
        Case("password_in_prose", "8241", "my PIN is {} at the bank"),
        Case("secret_in_prose", s(B62, 24, "prose-key"), "my API key is {} for the staging account"),
    ]


CASES = cases()


def test_every_kind_has_a_case():
    assert {c.kind for c in CASES} == set(KINDS)
    assert len(KINDS) >= 45


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}-{i}" for i, c in enumerate(CASES)])
def test_secret_is_replaced_by_its_marker_and_nothing_else_changes(case: Case):
    text = case.text
    result = redact(text)
    assert [f.kind for f in result.findings] == [case.kind]
    finding = result.findings[0]
    assert text[finding.start: finding.end] == case.secret
    assert result.text == case.context.replace("{}", marker(case.kind))


def test_redacted_output_is_stable_under_a_second_pass():
    for case in CASES:
        once = redact(case.text).text
        assert redact(once).text == once
        assert redact(once).count == 0


def test_redacting_json_keeps_it_parseable():
    for case in CASES:
        doc = json.dumps({"tool": "Bash", "input": {"command": case.text}, "output": case.text})
        result = redact(doc)
        assert case.secret not in result.text
        assert case.secret not in json.dumps(json.loads(result.text))


def test_overlapping_detections_merge_into_the_most_specific_kind():
    key = "sk-proj-" + rand(URLSAFE, 60, "overlap")
    result = redact(f"OPENAI_API_KEY={key}")
    assert result.findings == [Finding("openai_api_key", 15, 15 + len(key))]
    assert result.count == 1


def test_an_aws_credentials_csv_row_loses_both_the_key_id_and_the_secret():
    key_id, secret = "AKIA" + rand(UPPER_NUM, 16, "csv"), rand(B64, 40, "aws-csv")
    result = redact(f"Access key ID,Secret access key\n{key_id},{secret}\n")
    assert (
        result.text
        == "Access key ID,Secret access key\n[REDACTED:aws_access_key_id],[REDACTED:aws_secret_access_key]\n"
    )


def test_a_long_unquoted_value_is_redacted_to_its_end():
    value = rand(B62, 3000, "long")
    result = redact(f"API_TOKEN={value} next")
    assert result.text == "API_TOKEN=[REDACTED:secret_assignment] next"


def test_an_unclosed_private_tag_hides_everything_after_it():
    result = redact("keep this <private>the rest is private\nand this too")
    assert result.text == "keep this [REDACTED:private]"


def test_prose_naming_pem_markers_is_not_a_key():
    text = 'Files start with "-----BEGIN RSA PRIVATE KEY-----" and end with "-----END RSA PRIVATE KEY-----".'
    assert redact(text).count == 0


FALSE_POSITIVES = [
    "def login(username: str, password: str) -> bool:",
    "password: Optional[str] = None",
    "def f(password: str = field(default=None)): ...",
    "    secret_key: SecretStr",
    'api_key = os.environ["API_KEY"]',
    'os.environ["API_KEY"]',
    'TOKEN = os.getenv("GITHUB_TOKEN")',
    "token = request.headers.get('Authorization')",
    "self.password = password",
    "user.set_password(password)",
    "response = client.chat(max_tokens=1024, temperature=0.2)",
    '{"usage": {"input_tokens": 1200, "output_tokens": 345}}',
    "const token = await getToken();",
    "{ _csrf_token: csrfToken, token: token }",
    "password_hash = bcrypt.hashpw(pw, salt)",
    "TOKENIZERS_PARALLELISM=false",
    "export PATH=$HOME/bin:$PATH",
    "PASSWORD=${DB_PASSWORD}",
    'API_KEY="<your-api-key>"',
    "SECRET_KEY=***",
    "DB_PASSWORD=",
    "Enter your password:",
    "Password: type it in the prompt below",
    "The token expired, so I refreshed the password and rotated the API key.",
    "Use the --password option or set --token-file ~/.token; --max-tokens 512",
    "git push -u origin main && docker run -u 1000:1000 img && ssh -p2222 host && mkdir -p dir",
    "postgres://localhost:5432/app and https://user@github.com/o/r.git and postgres://user:pass@localhost/db",
    "Authorization: Bearer $TOKEN",
    "Authorization: Bearer <token>",
    "He was the bearer of bad news. Basic usage: run it.",
    "scikit-learn (sk-learn), task-1234567890abcdefghij, hf_hub_download(repo_id='x')",
    "commit 3de1c09263c5f1f6a0b7c4f5d6e7f8a9b0c1d2e3",
    "request id 550e8400-e29b-41d4-a716-446655440000",
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    '"key_sha256": "bb1636883c2707b51c5b7fc26c6927af4430f2e0785a8c7bc886337f919f9edf"',
    "color: #ff00aa; background: #123456; border: 1px solid #abcdef;",
    "key = cache_key(request); sort_key=lambda x: x[0]; d = {\"key\": \"value\"}",
    '"result_key": "StreamingAccessForServices", "input_token": "NextToken"',
    "public_key = load_pem_public_key(data)",
    '{"pass": 3413, "password": 20786, "secret": 3595}',
    '"signature": "EpcDCkYICxgCKkDwuQFKira33iZ2L/tmVcq0xOv73b2DuAub/AN47GWtfk6o4NPcTQQaXaxpzg2TCUkfY0qdZ2NYA"',
    "if password == expected: return True",
    "AWS_SECRET_ACCESS_KEY=$(aws configure get aws_secret_access_key)",
]


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_ordinary_code_and_prose_stay_intact(text: str):
    result = redact(text)
    assert result.findings == [], [text[f.start: f.end] for f in result.findings]
    assert result.text == text


#: every ASCII punctuation mark, and the ones prose in other scripts ends a token with
PUNCTUATION = string.punctuation + "…。，、；：！？」』）»“”’"
_NATURAL_END = re.compile(r"\{\}(?=$|\s)")


def leaked(secret: str, text: str, context: str = "") -> list[str]:
    """Pieces of `secret` (windows of up to 10 characters) still in `text` that `context` does not explain."""
    text = re.sub(r"\[REDACTED:[a-z_]+\]", "", text)  # a marker names the kind: `access_token` is not a leak
    width = min(10, len(secret))
    return sorted({secret[i:i + width] for i in range(len(secret) - width + 1)
                   if secret[i:i + width] in text and secret[i:i + width] not in context})


@pytest.mark.parametrize("case", [c for c in CASES if _NATURAL_END.search(c.context)],
                         ids=[f"{c.kind}-{i}" for i, c in enumerate(CASES) if _NATURAL_END.search(c.context)])
def test_a_secret_followed_by_any_punctuation_mark_is_still_redacted(case: Case):
    leaks = {}
    for mark in PUNCTUATION:
        text = _NATURAL_END.sub(lambda _, mark=mark: case.secret + mark, case.context, count=1)
        if found := leaked(case.secret, redact(text).text, case.context):
            leaks[mark] = found
    assert leaks == {}


#: kinds a token shows by itself, wherever it stands (the others need their context: a name, a URL, a header)
SELF_EVIDENT = [c for c in CASES if [(f.start, f.end) for f in redact(c.secret).findings] == [(0, len(c.secret))]]


@pytest.mark.parametrize("carrier", ["I pasted {} into the chat", "see ({})", "SETTING={}", "value: {}\n",
                                     '{{"v": "{}"}}', "`{}`", "key\t{}\tend"])
def test_a_token_is_redacted_in_prose_and_assignments_before_any_punctuation_mark(carrier: str):
    assert len({c.kind for c in SELF_EVIDENT}) >= 40
    leaks = {}
    for case in SELF_EVIDENT:
        for mark in PUNCTUATION:
            text = carrier.format(case.secret + mark)
            if leaked(case.secret, redact(text).text, carrier):
                leaks.setdefault(case.kind, []).append(mark)
    assert leaks == {}


PROSE_PASSWORDS = [
    ("my password is {}", "Hx7qLm2w"),
    ("My password was {} until Monday", "S3cr3t-x"),
    ("the pw is {}", "Xy7!abcz"),
    ("pw: {} (don't share)", "N0tShared"),
    ("the passphrase is '{}'", "correct horse battery staple"),
    ("password for the db is {}", "Pg9pass77"),
    ("my github password has been changed to {}", "NewPass2024x"),
    ("new password: {} (temporary)", "TmpPw0rd"),
    ("mot de passe : {}", "soleil42"),
    ("le mot de passe est {}", "Ch4t-noir"),
    ("mon mdp : {}", "bonjour77"),
    ("密码是{}", "hunter22"),
    ("密码：{}", "abc12345"),
    ("数据库密码为{}。", "Mysql8pw"),
    ("パスワードは{}です", "tokyo2024"),
    ("비밀번호는 {} 입니다", "seoul9876"),
    ("das Passwort lautet {}", "Berl1nXx"),
    ("Kennwort: {}", "M0nchen12"),
    ("la contraseña es {}", "Madr1d-22"),
    ("a senha é {}", "Lisb0a99"),
    ("la password è {}", "Rom4Roma"),
    ("het wachtwoord is {}", "Amst3rdam"),
    ("hasło to {}", "Wars4wa1"),
    ("пароль: {}", "Moskva77x"),
    ("my PIN is {}", "4821"),
]


@pytest.mark.parametrize("sentence,password", PROSE_PASSWORDS)
def test_a_password_said_in_prose_is_redacted_before_any_punctuation_mark(sentence: str, password: str):
    for mark in PUNCTUATION + " \n":
        text = sentence.format(password + mark) + " and more text"
        out = redact(text)
        assert password not in out.text, (mark, out.text)
        assert leaked(password, out.text, sentence) == [], (mark, out.text)


@pytest.mark.parametrize("sentence,password", PROSE_PASSWORDS)
def test_a_password_said_in_prose_is_redacted_in_json_text_that_escapes_non_ascii(sentence: str, password: str):
    """Python's json.dumps writes `\\n`, `\\u2026`, `\\u5bc6\\u7801`: the words and marks are found escaped too."""
    for mark in PUNCTUATION:
        text = json.dumps({"content": "first line\n" + sentence.format(password + mark) + "\nlast line"})
        out = redact(text).text
        assert password not in out, (mark, out)
        assert json.loads(out)


def test_a_stray_bracket_after_a_value_is_no_subscript_when_nothing_closes_it_on_its_line():
    """In JSON text a line goes on past an escaped newline: the array's own `]` closes nothing of the value's."""
    key = rand(B62, 40, "bracket")
    text = json.dumps({"messages": [{"content": f"sign with HMAC_KEY={key}[ on the server\nnext line"}]})
    assert key not in redact(text).text
    assert redact('PASSWORD=env["X"]').findings == [] and redact("token = get_token(1)").findings == []


PROSE_NEAR_MISSES = [
    "my password is incorrect",
    "The password is too short.",
    "the password is required, and the token is expired",
    "password is hashed with bcrypt before it is stored",
    "the password is sha256-hashed and base64-encoded",
    "the pw is wrong, try again",
    "pwd is /home/user/proj2",
    "Passwort ist falsch",
    "mot de passe : oublié ?",
    "密码是必填项",
    "密码错误，请重试",
    "パスワードは必須です",
    "la contraseña es incorrecta",
    "the password is 8 characters long",
    "the PIN is 4 digits",
    "the password is ********",
    "the password is $DB_PASSWORD",
    "the password is in the vault: vault:secret/db",
    "the password is <your password>",
    "my password is the same as before",
    "The password is: see 1Password",
    "the API key is missing",
    "the API key is stored in the OPENAI_API_KEY variable",
    "the secret is out",
    "password: Optional[str] = None",
]


@pytest.mark.parametrize("text", PROSE_NEAR_MISSES)
def test_prose_about_passwords_stays_intact(text: str):
    result = redact(text)
    assert result.findings == [], [text[f.start: f.end] for f in result.findings]


def _near_misses() -> list[str]:
    path = REPO / "tests" / "learning" / "data" / "redaction_near_misses.txt"
    return [codecs.decode(line, "unicode_escape") for line in path.read_text("utf-8").splitlines()
            if line and not line.startswith("# ")]


def test_every_near_miss_line_is_left_alone():
    found = {line: [(f.kind, line[f.start:f.end]) for f in redact(line).findings] for line in _near_misses()}
    assert {line: f for line, f in found.items() if f} == {}


def test_the_near_misses_cover_every_token_head_and_prose_password():
    lines = set(_near_misses())
    for head in ("ATATT3", "ATBB", "GOCSPX-", "ya29.", "Q~", "webhook.office.com", "sq0atp-", "EAAA", "-us1",
                 "NRAK-", "dckr_pat_", "sbp_", "pscale_tkn_", "tskey-", "ops_eyJ", "sk.eyJ", "LTAI", ".atlasv1.",
                 "glsa_", "glc_", "figd_", "pul-", "nfp_", "dt0c01.", "rubygems_", "dp.st.dev.",
                 "access_token$production$"):
        assert any(head in line for line in lines), head
    assert {"my password is incorrect", "密码是必填项", "mot de passe : oublié ?"} <= lines


def test_base64_image_data_is_kept():
    png = base64.b64encode(random.Random(7).randbytes(6000)).decode()
    text = f'<img src="data:image/png;base64,{png}">'
    assert redact(text).text == text


def _text_files(root: Path) -> list[Path]:
    out = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            try:
                path.read_text("utf-8")
            except UnicodeDecodeError:
                continue  # SQLite fixtures
            out.append(path)
    return out


def test_fixture_transcripts_have_nothing_to_redact():
    if not TRANSCRIPTS.is_dir():
        pytest.fail(
            f"transcript fixtures not found at {TRANSCRIPTS}: tests/fixtures/transcripts is part of the repository"
        )
    files = _text_files(TRANSCRIPTS)
    assert len(files) >= 40
    found = {str(p.relative_to(TRANSCRIPTS)): [(f.kind, p.read_text("utf-8")[f.start: f.end][:40])
                                               for f in redact(p.read_text("utf-8")).findings] for p in files}
    assert {k: v for k, v in found.items() if v} == {}


def test_this_repositorys_sources_have_nothing_to_redact():
    # The redaction module and its near-miss corpus describe secrets on purpose.
    skip = {"redaction.py", "redaction_near_misses.txt", "test_redaction.py"}
    files = [p for d in ("autoskill_mcp", "docs", "bench") if (REPO / d).is_dir()
             for p in _text_files(REPO / d) if p.name not in skip and p.suffix in (".py", ".md", ".toml", ".json")]
    files += [p for p in (REPO / "README.md", REPO / "pyproject.toml") if p.is_file()]
    assert len(files) > 30
    found = {str(p.relative_to(REPO)): [f.kind for f in redact(p.read_text("utf-8")).findings] for p in files}
    assert {k: v for k, v in found.items() if v} == {}


def _load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_redaction", REPO / "bench" / "bench_redaction.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_5mb_adversarial_input_is_redacted_in_one_pass():
    """Near misses for every rule, repeated: finishes (the bench script times it)."""
    text = _load_bench().adversarial_text(5_000_000)
    assert len(text) == 5_000_000
    result = redact(text)
    assert_well_formed(text, result)


def assert_well_formed(text: str, result: Redacted) -> None:
    """Findings are in order, disjoint, inside the text, and the output is rebuilt from them."""
    pos, rebuilt = 0, []
    for f in result.findings:
        assert pos <= f.start < f.end <= len(text)
        assert f.kind in KINDS
        rebuilt += (text[pos:f.start], marker(f.kind))
        pos = f.end
    rebuilt.append(text[pos:])
    assert "".join(rebuilt) == result.text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([c.text for c in CASES] + FALSE_POSITIVES + [
    " ", "\n", '"', "'", "\\", "=", ":", "--", "://", "@", "<private>", "</private>", "-----BEGIN RSA PRIVATE KEY-----",
    "password", "token", "key", "eyJ", "sk-", "AKIA", "Bearer ", "İ", "ß", "日本語",
]) | st.text(max_size=30), max_size=12))
def test_any_mix_of_secrets_and_text_is_redacted_consistently(parts: list[str]):
    text = "".join(parts)
    result = redact(text)
    assert_well_formed(text, result)
    assert redact(result.text).text == result.text


def _session() -> Session:
    key = "ghp_" + rand(B62, 36, "session")
    pw = "Zz" + rand(B62, 10, "session-pw")
    events = [
        Event(Role.USER, Kind.PROMPT, text=f"deploy with token {key}", uid="u1"),
        Event(Role.ASSISTANT, Kind.TOOL_CALL, uid="a1",
              tool=ToolUse("Bash", input=json.dumps({"command": f"psql postgres://app:{pw}@db/app"}), call_id="c1")),
        Event(Role.TOOL, Kind.TOOL_RESULT, uid="t1",
              tool=ToolUse("Bash", call_id="c1", output=pem("RSA PRIVATE KEY", "session-pem"))),
        Event(Role.ASSISTANT, Kind.REPLY, text="Done, nothing secret here.", uid="a2"),
    ]
    return Session("s1", "claude-code", events=events, cwd=f"/home/u/{key}", title=f"fix {key}",
                   project="demo", warnings=["line 3 truncated"], skipped={"progress": 2})


def test_redact_session_maps_every_text_field_and_leaves_the_original_alone():
    session = _session()
    key = session.events[0].text.split()[-1]
    counts: Counter[str] = Counter()
    clean = redact_session(session, counts=counts)

    assert clean.events[0].text == "deploy with token [REDACTED:github_token]"
    assert json.loads(clean.events[1].tool.input)["command"] == "psql postgres://app:[REDACTED:database_url_password]@db/app"
    assert clean.events[2].tool.output == "[REDACTED:private_key]"
    assert clean.events[3] == session.events[3]
    assert clean.title == "fix [REDACTED:github_token]" and key not in (clean.cwd or "")
    assert counts == Counter({"github_token": 3, "database_url_password": 1, "private_key": 1})
    # the input session is unchanged and the copies do not share mutable state
    assert key in session.events[0].text and key in (session.title or "")
    assert clean.warnings == session.warnings and clean.warnings is not session.warnings
    assert clean.skipped is not session.skipped
    assert [e.uid for e in clean.events] == [e.uid for e in session.events]


def test_a_secret_that_only_shows_once_a_private_block_is_gone_is_still_redacted():
    """A `<private>` block with a newline kept a `curl` apart from a later `-u user:pw` (found by hypothesis)."""
    text = ("curl -u admin:n0t-a-real-pw https://example.com"
            "note: <private>my address\nmy phone is 555-0100</private> end"
            "curl -u admin:s3cond-pw https://example.com")
    result = redact(text)
    assert "n0t-a-real-pw" not in result.text and "s3cond-pw" not in result.text
    assert [text[f.start : f.end] for f in result.findings if f.kind == "cli_secret_flag"] == [
        "n0t-a-real-pw",
        "s3cond-pw",
    ]
    assert redact(result.text).text == result.text
