import type { JsonObject, Site } from '../core/types.js';

/** Person-facing pages of a double opt-in link (src/pages): subject is the heading, text the message. */
export type PageTemplateName = 'page_doi_confirm' | 'page_doi_confirmed' | 'page_doi_used' | 'page_doi_expired' | 'page_doi_not_pending' | 'page_doi_invalid';
export type TemplateName =
  | 'doi_confirmation'
  | 'welcome_email'
  | 'welcome_sms'
  | 'registration_password_sms'
  | 'password_reset'
  | 'email_verification'
  | 'email_verification_code'
  | 'one_time_password_sms'
  | 'one_time_password_email'
  | PageTemplateName;

export interface Template {
  /** Email only. */
  subject?: string;
  text: string;
  /** Email only; variables are HTML-escaped here. */
  html?: string;
  /** Pages only: the label of the page's button. */
  action?: string;
}

/**
 * Defaults, per language. A site overrides any of them in `settings.messaging.templates.<name>.<lang>`
 * (provisioned with `roster apply`). Variables: {{confirmUrl}}, {{code}}, {{club}}, {{site}}, {{email}};
 * pages: {{list}} (the list's display name) and {{site}}.
 */
export const DEFAULT_TEMPLATES: Record<TemplateName, Record<string, Template>> = {
  doi_confirmation: {
    en: {
      subject: 'Please confirm your subscription',
      text: 'Please confirm your subscription to {{subscription}} by opening this link:\n\n{{confirmUrl}}\n\nIf you did not ask for it, ignore this email.',
      html: '<p>Please confirm your subscription to {{subscription}}.</p><p><a href="{{confirmUrl}}">Confirm my subscription</a></p><p>If you did not ask for it, ignore this email.</p>',
    },
    nb: {
      subject: 'Bekreft abonnementet ditt',
      text: 'Bekreft abonnementet ditt på {{subscription}} ved å åpne denne lenken:\n\n{{confirmUrl}}\n\nHvis du ikke ba om dette, kan du se bort fra e-posten.',
      html: '<p>Bekreft abonnementet ditt på {{subscription}}.</p><p><a href="{{confirmUrl}}">Bekreft abonnementet</a></p><p>Hvis du ikke ba om dette, kan du se bort fra e-posten.</p>',
    },
    sv: {
      subject: 'Bekräfta din prenumeration',
      text: 'Bekräfta din prenumeration på {{subscription}} genom att öppna länken:\n\n{{confirmUrl}}\n\nOm du inte bad om detta kan du bortse från mejlet.',
      html: '<p>Bekräfta din prenumeration på {{subscription}}.</p><p><a href="{{confirmUrl}}">Bekräfta prenumerationen</a></p>',
    },
  },
  welcome_email: {
    en: {
      subject: 'Welcome to {{club}}',
      text: 'Welcome to {{club}}! Your membership is active.',
      html: '<p>Welcome to {{club}}! Your membership is active.</p>',
    },
    nb: {
      subject: 'Velkommen til {{club}}',
      text: 'Velkommen til {{club}}! Medlemskapet ditt er aktivt.',
      html: '<p>Velkommen til {{club}}! Medlemskapet ditt er aktivt.</p>',
    },
  },
  welcome_sms: {
    en: { text: 'Welcome to {{club}}! Your membership is active.' },
    nb: { text: 'Velkommen til {{club}}! Medlemskapet ditt er aktivt.' },
  },
  registration_password_sms: {
    en: { text: 'Your {{club}} code: {{code}}' },
    nb: { text: 'Din kode for {{club}}: {{code}}' },
  },
  page_doi_confirm: {
    en: {
      subject: 'Confirm your subscription',
      text: 'You asked to receive {{list}} from {{site}}. Confirm below and you are all set.',
      action: 'Confirm subscription',
    },
    nb: {
      subject: 'Bekreft abonnementet',
      text: 'Du har bedt om å få {{list}} fra {{site}}. Bekreft nedenfor, så er du i gang.',
      action: 'Bekreft abonnementet',
    },
    sv: {
      subject: 'Bekräfta din prenumeration',
      text: 'Du har bett om att få {{list}} från {{site}}. Bekräfta nedan så är allt klart.',
      action: 'Bekräfta prenumerationen',
    },
  },
  page_doi_confirmed: {
    en: { subject: 'You are subscribed', text: 'Thank you. Your subscription to {{list}} is confirmed. You can close this page.' },
    nb: { subject: 'Du abonnerer nå', text: 'Takk! Abonnementet ditt på {{list}} er bekreftet. Du kan lukke denne siden.' },
    sv: { subject: 'Du prenumererar nu', text: 'Tack! Din prenumeration på {{list}} är bekräftad. Du kan stänga den här sidan.' },
  },
  page_doi_used: {
    en: { subject: 'Already confirmed', text: 'This link has already been used, so there is nothing more to do.' },
    nb: { subject: 'Allerede bekreftet', text: 'Denne lenken er allerede brukt, så du trenger ikke gjøre noe mer.' },
    sv: { subject: 'Redan bekräftad', text: 'Den här länken har redan använts, så du behöver inte göra något mer.' },
  },
  page_doi_expired: {
    en: { subject: 'This link has expired', text: 'Confirmation links work for seven days. Sign up again at {{site}} and we will send you a new one.' },
    nb: { subject: 'Lenken er utløpt', text: 'Bekreftelseslenker virker i sju dager. Meld deg på igjen hos {{site}}, så sender vi en ny.' },
    sv: { subject: 'Länken har gått ut', text: 'Bekräftelselänkar fungerar i sju dagar. Anmäl dig igen hos {{site}} så skickar vi en ny.' },
  },
  page_doi_not_pending: {
    en: { subject: 'Nothing to confirm', text: 'This subscription is no longer waiting for a confirmation, for example because it was cancelled.' },
    nb: { subject: 'Ingenting å bekrefte', text: 'Dette abonnementet venter ikke lenger på bekreftelse, for eksempel fordi det er avsluttet.' },
    sv: { subject: 'Inget att bekräfta', text: 'Den här prenumerationen väntar inte längre på bekräftelse, till exempel för att den har avslutats.' },
  },
  page_doi_invalid: {
    en: { subject: 'Link not recognised', text: 'We could not find this confirmation link. Check that you opened the whole link from the email.' },
    nb: { subject: 'Ukjent lenke', text: 'Vi fant ikke denne bekreftelseslenken. Sjekk at du åpnet hele lenken fra e-posten.' },
    sv: { subject: 'Okänd länk', text: 'Vi hittade inte den här bekräftelselänken. Kontrollera att du öppnade hela länken från mejlet.' },
  },
  one_time_password_sms: {
    en: { text: 'Your {{club}} login code: {{code}} {{loginUrl}}' },
    nb: { text: 'Din innloggingskode for {{club}}: {{code}} {{loginUrl}}' },
  },
  one_time_password_email: {
    en: {
      subject: 'Your {{club}} login code',
      text: 'Your one-time login code: {{code}}\n\n{{loginUrl}}\n\nIt works once, for an hour.',
      html: '<p>Your one-time login code: <strong>{{code}}</strong></p><p>{{loginUrl}}</p><p>It works once, for an hour.</p>',
    },
  },
  password_reset: {
    en: {
      subject: 'Reset your password',
      text: 'To choose a new password, open this link:\n\n{{resetUrl}}\n\nThe link works once and expires. If you did not ask for it, ignore this email.',
      html: '<p>To choose a new password, open this link:</p><p><a href="{{resetUrl}}">Reset my password</a></p><p>The link works once and expires. If you did not ask for it, ignore this email.</p>',
    },
  },
  email_verification: {
    en: {
      subject: 'Please verify your email address',
      text: 'Please verify your email address by opening this link:\n\n{{verifyUrl}}\n\nIf you did not register, ignore this email.',
      html: '<p>Please verify your email address.</p><p><a href="{{verifyUrl}}">Verify my email address</a></p><p>If you did not register, ignore this email.</p>',
    },
  },
  email_verification_code: {
    en: {
      subject: 'Your verification code: {{code}}',
      text: 'Your verification code is {{code}}. Type it where you registered, or open this link:\n\n{{verifyUrl}}\n\nIf you did not register, ignore this email.',
      html: '<p>Your verification code is <strong>{{code}}</strong>.</p><p>Type it where you registered, or <a href="{{verifyUrl}}">verify my email address</a>.</p><p>If you did not register, ignore this email.</p>',
    },
  },
};

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function fill(template: string, vars: Record<string, string>, asHtml: boolean): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = vars[name] ?? '';
    return asHtml ? escapeHtml(value) : value;
  });
}

function siteTemplate(site: Site | undefined, name: TemplateName, language: string): Template | undefined {
  const messaging = site?.settings.messaging as JsonObject | undefined;
  const templates = messaging?.templates as JsonObject | undefined;
  const byLanguage = templates?.[name] as JsonObject | undefined;
  const template = byLanguage?.[language] as JsonObject | undefined;
  if (!template || typeof template.text !== 'string') return undefined;
  return {
    text: template.text,
    ...(typeof template.subject === 'string' && { subject: template.subject }),
    ...(typeof template.html === 'string' && { html: template.html }),
    ...(typeof template.action === 'string' && { action: template.action }),
  };
}

/**
 * Picks the template for a language: the site's, then the default, trying "nb-NO", then "nb",
 * then the site's default language (settings.messaging.defaultLanguage), then English.
 */
export function renderTemplate(site: Site | undefined, name: TemplateName, language: string | null, vars: Record<string, string>) {
  const messaging = site?.settings.messaging as JsonObject | undefined;
  const fallback = typeof messaging?.defaultLanguage === 'string' ? messaging.defaultLanguage : 'en';
  const wanted = (language ?? fallback).toLowerCase();
  const candidates = [...new Set([wanted, wanted.split(/[-_]/)[0] as string, fallback, 'en'])];
  for (const lang of candidates) {
    const template = siteTemplate(site, name, lang) ?? DEFAULT_TEMPLATES[name][lang];
    if (template) {
      return {
        language: lang,
        subject: template.subject === undefined ? undefined : fill(template.subject, vars, false),
        text: fill(template.text, vars, false),
        html: template.html === undefined ? undefined : fill(template.html, vars, true),
        action: template.action === undefined ? undefined : fill(template.action, vars, false),
      };
    }
  }
  throw new Error(`no template ${name}`); // unreachable: every default has English
}
