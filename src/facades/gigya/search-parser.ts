/**
 * The Gigya accounts.search query language (gigya-wire §7), parsed by recursive descent into an
 * AST that keeps each field's position for error messages. Grammar (keywords case-insensitive):
 *
 *   query     := SELECT selection FROM name [WHERE condition] [ORDER BY order (, order)*] [START n] [LIMIT n]
 *                (START and LIMIT in either order; FILTER, GROUP BY, HAVING are refused)
 *   selection := '*' | item (',' item)*        item := (COUNT '(' '*' ')' | field) [AS name]
 *   condition := conj (OR conj)*                conj := unary (AND unary)*
 *   unary     := NOT unary | '(' condition ')' | predicate
 *   predicate := field op literal | field ('='|'!=') REGEX '(' string ')'
 *              | field [NOT] IN '(' literal (',' literal)* ')' | field IS [NOT] NULL | field [NOT] CONTAINS literal
 *   literal   := "text" | 'text' | number | true | false
 */

export class SearchSyntaxError extends Error {
  override readonly name = 'SearchSyntaxError';
  constructor(
    readonly reason: string,
    /** 0-based offset into the query text. */
    readonly offset: number,
  ) {
    super(`${reason} at position ${offset + 1}`);
  }
}

export interface FieldRef {
  path: string;
  offset: number;
}

export type Literal = { type: 'string'; value: string } | { type: 'number'; value: number } | { type: 'boolean'; value: boolean };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; field: FieldRef; op: CompareOp; value: Literal; offset: number }
  | { kind: 'regex'; field: FieldRef; negated: boolean; pattern: string; offset: number }
  | { kind: 'in'; field: FieldRef; negated: boolean; values: Literal[]; offset: number }
  | { kind: 'null'; field: FieldRef; negated: boolean }
  | { kind: 'contains'; field: FieldRef; negated: boolean; value: Literal; offset: number };

export type SelectItem = { kind: 'field'; field: FieldRef; alias: string | undefined } | { kind: 'count'; alias: string | undefined; offset: number };

export interface SearchAst {
  /** null: `SELECT *`. */
  select: SelectItem[] | null;
  from: { name: string; offset: number };
  where: Condition | undefined;
  orderBy: Array<{ field: FieldRef; descending: boolean }>;
  start: { value: number; offset: number } | undefined;
  limit: { value: number; offset: number } | undefined;
}

type Token =
  | { kind: 'word'; text: string; offset: number }
  | { kind: 'string'; text: string; offset: number }
  | { kind: 'number'; text: string; value: number; offset: number }
  | { kind: 'op'; text: string; offset: number }
  | { kind: 'end'; text: ''; offset: number };

/** Longest query text accepted (a guard, not a Gigya limit). */
export const MAX_QUERY_LENGTH = 20_000;

const WORD = /[A-Za-z_$@][A-Za-z0-9_$@-]*(?:\.[A-Za-z0-9_$@-]+)*/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const OPERATORS = ['!=', '<=', '>=', '<', '>', '=', '(', ')', ',', '*'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new SearchSyntaxError('unterminated string', start);
        const d = text[i] as string;
        if (d === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (d === c) {
          i++;
          break;
        } else {
          value += d;
          i++;
        }
      }
      tokens.push({ kind: 'string', text: value, offset: start });
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(text);
    if (number && (c !== '-' || /\d/.test(text[i + 1] ?? ''))) {
      tokens.push({ kind: 'number', text: number[0], value: Number(number[0]), offset: i });
      i += number[0].length;
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(text);
    if (word) {
      tokens.push({ kind: 'word', text: word[0], offset: i });
      i += word[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, offset: i });
      i += op.length;
      continue;
    }
    throw new SearchSyntaxError(`unexpected character '${c}'`, i);
  }
  tokens.push({ kind: 'end', text: '', offset: text.length });
  return tokens;
}

const KEYWORDS = new Set([
  'select',
  'from',
  'where',
  'and',
  'or',
  'not',
  'in',
  'is',
  'null',
  'contains',
  'regex',
  'order',
  'by',
  'asc',
  'desc',
  'start',
  'limit',
  'as',
  'filter',
  'group',
  'having',
]);
const AGGREGATES = new Set(['sum', 'min', 'max', 'avg', 'sum_of_squares', 'variance', 'std']);

/** Nesting deeper than this (parentheses, NOT) is refused before it can exhaust the stack. */
const MAX_DEPTH = 64;

class Parser {
  private index = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private get token(): Token {
    return this.tokens[this.index] as Token;
  }

  private peek(ahead = 1): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)] as Token;
  }

  private describe(token: Token): string {
    return token.kind === 'end' ? 'end of query' : token.kind === 'string' ? `"${token.text}"` : `'${token.text}'`;
  }

  private fail(expected: string, token: Token = this.token): never {
    throw new SearchSyntaxError(`unexpected ${this.describe(token)}; expected ${expected}`, token.offset);
  }

  private isKeyword(word: string, token: Token = this.token): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.index++;
    return true;
  }

  private keyword(word: string): void {
    if (!this.acceptKeyword(word)) this.fail(word.toUpperCase());
  }

  private isOp(op: string): boolean {
    return this.token.kind === 'op' && this.token.text === op;
  }

  private op(op: string): void {
    if (!this.isOp(op)) this.fail(`'${op}'`);
    this.index++;
  }

  private field(): FieldRef {
    const token = this.token;
    if (token.kind !== 'word' || KEYWORDS.has(token.text.toLowerCase())) this.fail('a field name');
    this.index++;
    return { path: token.text, offset: token.offset };
  }

  private literal(): Literal {
    const token = this.token;
    if (token.kind === 'string') {
      this.index++;
      return { type: 'string', value: token.text };
    }
    if (token.kind === 'number') {
      this.index++;
      return { type: 'number', value: token.value };
    }
    if (token.kind === 'word' && (token.text.toLowerCase() === 'true' || token.text.toLowerCase() === 'false')) {
      this.index++;
      return { type: 'boolean', value: token.text.toLowerCase() === 'true' };
    }
    if (this.isKeyword('null')) this.fail('a value (use IS NULL to test for a missing value)');
    return this.fail('a value (a quoted string, a number, true or false)');
  }

  private count(): number {
    const token = this.token;
    if (token.kind !== 'number' || !Number.isInteger(token.value) || token.value < 0) this.fail('a whole number');
    this.index++;
    return token.value;
  }

  parse(): SearchAst {
    this.keyword('select');
    const select = this.selection();
    this.keyword('from');
    const fromToken = this.token;
    if (fromToken.kind !== 'word' || KEYWORDS.has(fromToken.text.toLowerCase())) this.fail('accounts or emailAccounts');
    this.index++;
    const ast: SearchAst = {
      select,
      from: { name: fromToken.text, offset: fromToken.offset },
      where: undefined,
      orderBy: [],
      start: undefined,
      limit: undefined,
    };
    if (this.acceptKeyword('where')) ast.where = this.condition();
    for (const unsupported of ['filter', 'group', 'having']) {
      if (this.isKeyword(unsupported)) throw new SearchSyntaxError(`${unsupported.toUpperCase()} is not supported`, this.token.offset);
    }
    if (this.acceptKeyword('order')) {
      this.keyword('by');
      do {
        const field = this.field();
        let descending = false;
        if (this.acceptKeyword('desc')) descending = true;
        else this.acceptKeyword('asc');
        ast.orderBy.push({ field, descending });
      } while (this.acceptOp(','));
    }
    // START and LIMIT close the query, in either order, each once.
    for (let i = 0; i < 2; i++) {
      const token = this.token;
      if (!ast.start && this.acceptKeyword('start')) ast.start = { value: this.count(), offset: token.offset };
      else if (!ast.limit && this.acceptKeyword('limit')) ast.limit = { value: this.count(), offset: token.offset };
    }
    if (this.token.kind !== 'end') {
      this.fail('end of query (clauses go in the order SELECT, FROM, WHERE, ORDER BY, START, LIMIT)');
    }
    return ast;
  }

  private acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.index++;
    return true;
  }

  private selection(): SelectItem[] | null {
    if (this.acceptOp('*')) return null;
    const items: SelectItem[] = [];
    do {
      const token = this.token;
      let item: SelectItem;
      if (this.isKeyword('count') && this.peek().kind === 'op' && this.peek().text === '(') {
        this.index += 2;
        this.op('*');
        this.op(')');
        item = { kind: 'count', alias: undefined, offset: token.offset };
      } else if (token.kind === 'word' && AGGREGATES.has(token.text.toLowerCase()) && this.peek().text === '(') {
        throw new SearchSyntaxError(`${token.text}() is not supported`, token.offset);
      } else {
        item = { kind: 'field', field: this.field(), alias: undefined };
      }
      if (this.acceptKeyword('as')) {
        const alias = this.token;
        if (alias.kind !== 'word' || alias.text.includes('.')) this.fail('an alias name');
        this.index++;
        item.alias = alias.text;
      }
      items.push(item);
    } while (this.acceptOp(','));
    return items;
  }

  private condition(): Condition {
    const items = [this.conjunction()];
    while (this.acceptKeyword('or')) items.push(this.conjunction());
    return items.length === 1 ? (items[0] as Condition) : { kind: 'or', items };
  }

  private conjunction(): Condition {
    const items = [this.unary()];
    while (this.acceptKeyword('and')) items.push(this.unary());
    return items.length === 1 ? (items[0] as Condition) : { kind: 'and', items };
  }

  private unary(): Condition {
    if (this.depth >= MAX_DEPTH) throw new SearchSyntaxError(`conditions nest deeper than ${MAX_DEPTH} levels`, this.token.offset);
    this.depth++;
    try {
      if (this.acceptKeyword('not')) return { kind: 'not', item: this.unary() };
      if (this.acceptOp('(')) {
        const inner = this.condition();
        this.op(')');
        return inner;
      }
      return this.predicate();
    } finally {
      this.depth--;
    }
  }

  private predicate(): Condition {
    const field = this.field();
    const token = this.token;
    if (token.kind === 'op' && ['=', '!=', '<', '<=', '>', '>='].includes(token.text)) {
      this.index++;
      const op = token.text as CompareOp;
      if (this.isKeyword('regex')) {
        if (op !== '=' && op !== '!=') this.fail('a value (regex() goes with = or !=)');
        this.index++;
        this.op('(');
        const pattern = this.token;
        if (pattern.kind !== 'string') this.fail('a quoted regular expression');
        this.index++;
        this.op(')');
        return { kind: 'regex', field, negated: op === '!=', pattern: pattern.text, offset: pattern.offset };
      }
      const valueOffset = this.token.offset;
      return { kind: 'compare', field, op, value: this.literal(), offset: valueOffset };
    }
    const negated = this.acceptKeyword('not');
    if (this.acceptKeyword('in')) {
      const offset = this.token.offset;
      this.op('(');
      const values = [this.literal()];
      while (this.acceptOp(',')) values.push(this.literal());
      this.op(')');
      return { kind: 'in', field, negated, values, offset };
    }
    if (this.acceptKeyword('contains')) {
      const offset = this.token.offset;
      return { kind: 'contains', field, negated, value: this.literal(), offset };
    }
    if (!negated && this.acceptKeyword('is')) {
      const not = this.acceptKeyword('not');
      this.keyword('null');
      return { kind: 'null', field, negated: not };
    }
    return this.fail(negated ? 'IN or CONTAINS' : 'an operator (=, !=, <, <=, >, >=, in, contains, is null, is not null)');
  }
}

/** Parses a query or throws SearchSyntaxError with the offset of the offending token. */
export function parseSearchQuery(text: string): SearchAst {
  if (text.length > MAX_QUERY_LENGTH) throw new SearchSyntaxError(`the query is longer than ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH);
  return new Parser(tokenize(text)).parse();
}
