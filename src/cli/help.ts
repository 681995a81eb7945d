/** `roster <command> --help`: what each command does, its options and an example. */
const COMMANDS: Record<string, string> = {
  start: `roster start

  Migrates the database, then serves every facade on HOST:PORT until SIGTERM/SIGINT (it drains
  in-flight requests first). On the first start against an empty embedded store it creates a demo
  tenant, site and key and prints them once (on PostgreSQL only with ROSTER_DEMO=true).
  Configuration comes from the environment (README.md, "Configuration").`,
  migrate: `roster migrate [--json]

  Applies the database migrations and exits (start does this too).`,
  worker: `roster worker

  Runs the event delivery worker alone, without an HTTP server, until SIGTERM/SIGINT. Any number
  of workers may share one PostgreSQL database.`,
  tenant: `roster tenant create --name NAME [--json]
roster tenant list [--json]

  NAME: 1-63 lowercase letters, digits, - or _.`,
  site: `roster site create --tenant T --name N [--api-key K] [--secret S] [--club-slug S]
                   [--naviga-client C --naviga-paper P --naviga-group G] [--json]
roster site list --tenant T [--json]

  A site is an entry door of a tenant: a Gigya apiKey (generated when not given), a Boostcom club
  slug, a set of Naviga client codes. T is a tenant id or name.`,
  key: `roster key create --tenant T [--label L] [--permissions a,b] [--user-key K --secret S] [--json]
roster key list --tenant T [--json]
roster key revoke --tenant T --user-key K [--json]

  An application key (Gigya userKey + secret). A generated secret is printed once.`,
  import: `roster import FILE --site S [--tenant T] [--format ndjson|csv] [--dry-run] [--results F]
              [--batch-size N] [--abandon-running] [--json]

  Bulk import of lite accounts in the importLiteAccount shape; re-run the same command to resume.
  S is a Gigya apiKey, or a site name/id together with --tenant.`,
  export: `roster export --site S [--tenant T] [--since TIME] [--lite|--full] [--out F]

  Accounts as NDJSON in the import shape, ordered by lastUpdated.`,
  apply: `roster apply FILE.yaml|FILE.json [--dry-run] [--json]

  Provisions tenants, sites, application keys, webhooks and club clients from one document.
  The whole file is checked first (unknown keys, facade settings, missing environment
  variables), then everything is written in one transaction: a failure changes nothing.
  Generated secrets and tokens are printed once, after the commit. Applying an unchanged file
  reports every entry "unchanged". \${NAME} in a secret, clientSecret, token or provider header
  reads the environment variable NAME.

  --dry-run   show what would be created or updated; write nothing, print no secrets
  --json      the report as JSON (each entry has status created|updated|unchanged)`,
  events: `roster events replay --since TIME [--tenant T] [--sink S] [--type TYPE] [--json]
roster events dead --tenant T [--json]

  replay queues matching events for delivery again (TIME: ISO 8601); dead lists dead-lettered deliveries.`,
  webhook: `roster webhook list --tenant T [--json]`,
  mailbox: `roster mailbox [--tenant T] [--to ADDRESS] [--json]

  The dev mailbox: email and SMS kept when no SMTP/SMS provider is configured.`,
};

/** The help of one command, or undefined when there is none (the caller shows the overview). */
export function commandHelp(command: string | undefined): string | undefined {
  return command === undefined ? undefined : COMMANDS[command];
}
