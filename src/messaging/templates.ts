import type { JsonObject, Site } from '../core/types.js';

export type TemplateName =
  | 'doi_confirmation'
  | 'welcome_email'
  | 'welcome_sms'
  | 'registration_password_sms'
  | 'password_reset'
  | 'email_verification'
  | 'one_time_password_sms'
  | 'one_time_password_email';

export interface Template {
  /** Email only. */
  subject?: string;
  text: string;
  /** Email only; variables are HTML-escaped here. */
  html?: string;
}

/**
 * Defaults, per language. A site overrides any of them in `settings.messaging.templates.<name>.<lang>`
 * (provisioned with `roster apply`). Variables: {{confirmUrl}}, {{code}}, {{club}}, {{site}}, {{email}}.
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
      };
    }
  }
  throw new Error(`no template ${name}`); // unreachable: every default has English
}
