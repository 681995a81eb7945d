/** Where the pages' stylesheet is served (same origin: the CSP allows style from 'self'). */
export const STYLESHEET_PATH = '/pages/pages.css';

/**
 * The stylesheet of every person-facing page. Site colours arrive as CSS custom properties set in
 * a small <style> block the page's CSP allows by its hash (layout.ts); the system font stack means
 * nothing is fetched from elsewhere.
 */
export const STYLESHEET = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;background:var(--page-bg);color:var(--text);
  font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}
.masthead{background:var(--brand);color:var(--on-brand)}
.masthead-inner{max-width:40rem;margin:0 auto;padding:1.1rem 1.5rem;display:flex;align-items:center;min-height:4.5rem}
.logo{display:block;max-height:2.75rem;max-width:14rem;width:auto;height:auto}
.wordmark{font-size:1.35rem;font-weight:700;letter-spacing:.01em}
main{flex:1;width:100%;max-width:40rem;margin:0 auto;padding:3rem 1.5rem 2rem}
.card{background:#fff;color:#1b1f24;border-radius:14px;padding:2.5rem 2rem 2.25rem;text-align:center;
  box-shadow:0 1px 2px rgba(16,24,40,.06),0 8px 24px rgba(16,24,40,.08);border-top:5px solid var(--brand)}
.badge{width:3.5rem;height:3.5rem;margin:0 auto 1.25rem;border-radius:50%;display:flex;align-items:center;justify-content:center;
  background:var(--brand);color:var(--on-brand)}
.badge svg{width:1.75rem;height:1.75rem;fill:none;stroke:currentColor;stroke-width:2.4;stroke-linecap:round;stroke-linejoin:round}
.badge-muted{background:#e7e9ee;color:#3d4451}
h1{font-size:1.7rem;line-height:1.25;margin:0 0 .75rem;font-weight:700}
.message{margin:0 auto;max-width:30rem;color:#3d4451;font-size:1.05rem}
.list{font-weight:600;color:#1b1f24}
form{margin:2rem 0 0}
.button{appearance:none;border:0;border-radius:999px;cursor:pointer;background:var(--brand);color:var(--on-brand);
  font:inherit;font-weight:600;font-size:1.05rem;padding:.85rem 2.25rem;min-width:14rem}
.button:hover{filter:brightness(1.08)}
.button:focus-visible{outline:3px solid var(--brand);outline-offset:3px}
footer{padding:1.5rem;text-align:center;font-size:.875rem;color:var(--text)}
@media (max-width:30rem){main{padding-top:1.5rem}.card{padding:2rem 1.25rem}.button{width:100%;min-width:0}}
`;
