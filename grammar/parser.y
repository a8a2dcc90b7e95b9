/* parser.y: the grammar of .model files (bison), from tokens to the AST.
 *
 * A file is a header 'model NAME' and then statements, one per line:
 *
 *   input NAME : TYPE [= EXPR]        target NAME : TYPE [= EXPR]     param NAME : TYPE [= EXPR]
 *   net NAME = sequential { LAYER ... }                               [output] NAME = EXPR
 *   train { NAME = EXPR ... }
 *
 * A statement ends at a newline or ';'; empty statements are allowed. Inside the braces of
 * 'sequential' and 'train' the items are separated the same way, so a block may be written
 * on one line ('sequential { linear(10) }') or over several. The lexer hides newlines inside
 * ( ) and [ ], collapses blank and comment lines, and ends the last line if the file does not.
 *
 * The words model input target param net sequential output train are reserved: they cannot
 * name anything. That keeps the grammar LALR(1) without tricks and the messages clear.
 * 'f32' and 'class' are ordinary identifiers that the type rules (ast.c) check.
 *
 * Errors: bison's detailed messages ("unexpected X, expecting Y or Z"), reported at the
 * lookahead token. Recovery is per statement: an 'error' rule at top level and in each block
 * skips to the next separator, so every broken line is reported once. A lexical error
 * reaches the parser as YYerror, which recovers the same way without a second message.
 * Nesting deep enough to fill bison's stack (YYMAXDEPTH) ends the parse with one message.
 *
 * Actions only call ast_* constructors (and vec_push to collect lists); values live in the
 * compilation's arena and identifiers are interned, so there is no %destructor.
 */

%define api.pure full
%define api.prefix {mlc_yy}
%define api.value.type union
%define api.token.prefix {TOK_}
%define api.location.type {Loc}
%define parse.error detailed
%define parse.lac full
%locations
%expect 0

%param {void *scanner}
%parse-param {ParseState *ps}

%code requires {
#include "mlc.h"

/* The state shared by the lexer (as its yyextra) and the parser. */
typedef struct ParseState {
    Ctx *cx;
    uint32_t offset;     /* byte offset of the next character the lexer reads */
    int nesting;         /* depth of open ( and [: newlines inside them are only spaces */
    Loc outer_open;      /* the outermost open ( or [, for the note on a syntax error */
    bool line_has_token; /* a token since the last NEWLINE or ';' (else a newline is blank) */
    AstModel *model;     /* the result */
} ParseState;
}

%code provides {
int mlc_yylex(MLC_YYSTYPE *lval, MLC_YYLTYPE *lloc, void *scanner);
}

%code {
static void mlc_yyerror(MLC_YYLTYPE *lloc, void *scanner, ParseState *ps, const char *msg);

/* A rule's range runs from its first symbol's start to its last symbol's end; an empty
 * rule sits, with no length, right after the symbol before it. */
#define YYLLOC_DEFAULT(cur, rhs, n)                                                   \
    do {                                                                              \
        if (n) {                                                                      \
            (cur).offset = YYRHSLOC(rhs, 1).offset;                                   \
            (cur).len = YYRHSLOC(rhs, n).offset + YYRHSLOC(rhs, n).len - (cur).offset; \
        } else {                                                                      \
            (cur).offset = YYRHSLOC(rhs, 0).offset + YYRHSLOC(rhs, 0).len;            \
            (cur).len = 0;                                                            \
        }                                                                             \
    } while (0)
}

%token MODEL "'model'" INPUT "'input'" TARGET "'target'" PARAM "'param'" NET "'net'"
%token SEQUENTIAL "'sequential'" OUTPUT "'output'" TRAIN "'train'"
%token NEWLINE "end of line"
%token <const char *> IDENT "identifier"
%token <double> NUMBER "number"
%token <const char *> STRING "string"

%left '+' '-'
%left '*' '/' '@'
%precedence NEG

%type <AstModel *> model header
%type <Ast *> stmt decl init type net assign train setting layer expr primary call arg
%type <Ast *> subscript opt_expr
%type <PtrVec> dims layers settings args arg_list items item_list subscripts

%%

/* file: model */
file:
    model                       { ps->model = $1; }
    ;

/* model: header | model sep | model stmt sep | model error sep */
model:
    header
  | model sep
  | model stmt sep              { vec_push(ps->cx->arena, &$1->stmts, $2); $$ = $1; }
  | model error sep             { yyerrok; $$ = $1; }
    ;

/* header: 'model' IDENT sep */
header:
    MODEL IDENT sep             { $$ = ast_model(ps->cx, $2, @2); }
  | error sep                   { yyerrok; $$ = ast_model(ps->cx, "?", @1); }
    ;

/* sep: NEWLINE | ';' */
sep:
    NEWLINE
  | ';'
    ;

/* stmt: decl | net | assign | train */
stmt:
    decl
  | net
  | assign
  | train
    ;

/* decl: ('input' | 'target' | 'param') IDENT ':' type init */
decl:
    INPUT IDENT ':' type init   { $$ = ast_decl(ps->cx, AST_INPUT, $2, @2, $4, $5, @$); }
  | TARGET IDENT ':' type init  { $$ = ast_decl(ps->cx, AST_TARGET, $2, @2, $4, $5, @$); }
  | PARAM IDENT ':' type init   { $$ = ast_decl(ps->cx, AST_PARAM, $2, @2, $4, $5, @$); }
    ;

/* init: empty | '=' expr */
init:
    %empty                      { $$ = NULL; }
  | '=' expr                    { $$ = $2; }
    ;

/* type: IDENT '[' dims [','] ']' | IDENT '(' NUMBER ')' */
type:
    IDENT '[' dims opt_comma ']' { $$ = ast_tensor_type(ps->cx, $1, @1, $3, @$); }
  | IDENT '(' NUMBER ')'        { $$ = ast_class_type(ps->cx, $1, @1, ast_num(ps->cx, $3, @3), @$); }
    ;

/* dims: NUMBER | dims ',' NUMBER */
dims:
    NUMBER                      { $$ = (PtrVec){0}; vec_push(ps->cx->arena, &$$, ast_num(ps->cx, $1, @1)); }
  | dims ',' NUMBER             { $$ = $1; vec_push(ps->cx->arena, &$$, ast_num(ps->cx, $3, @3)); }
    ;

/* opt_comma: empty | ',' (a trailing comma) */
opt_comma:
    %empty
  | ','
    ;

/* net: 'net' IDENT '=' 'sequential' '{' layers [layer] '}'
 * The last layer needs no separator before '}'; a broken last line recovers at '}'. */
net:
    NET IDENT '=' SEQUENTIAL '{' layers '}'
                                { $$ = ast_net(ps->cx, $2, @2, $6, @$); }
  | NET IDENT '=' SEQUENTIAL '{' layers layer '}'
                                { vec_push(ps->cx->arena, &$6, $7); $$ = ast_net(ps->cx, $2, @2, $6, @$); }
  | NET IDENT '=' SEQUENTIAL '{' layers error '}'
                                { yyerrok; $$ = ast_net(ps->cx, $2, @2, $6, @$); }
    ;

/* layers: empty | layers sep | layers layer sep | layers error sep */
layers:
    %empty                      { $$ = (PtrVec){0}; }
  | layers sep
  | layers layer sep            { $$ = $1; vec_push(ps->cx->arena, &$$, $2); }
  | layers error sep            { yyerrok; $$ = $1; }
    ;

/* layer: IDENT | call */
layer:
    IDENT                       { $$ = ast_ident(ps->cx, $1, @1); }
  | call
    ;

/* assign: ['output'] IDENT '=' expr */
assign:
    IDENT '=' expr              { $$ = ast_assign(ps->cx, $1, @1, $3, false, @$); }
  | OUTPUT IDENT '=' expr       { $$ = ast_assign(ps->cx, $2, @2, $4, true, @$); }
    ;

/* train: 'train' '{' settings [setting] '}' */
train:
    TRAIN '{' settings '}'      { $$ = ast_train(ps->cx, $3, @$); }
  | TRAIN '{' settings setting '}'
                                { vec_push(ps->cx->arena, &$3, $4); $$ = ast_train(ps->cx, $3, @$); }
  | TRAIN '{' settings error '}'
                                { yyerrok; $$ = ast_train(ps->cx, $3, @$); }
    ;

/* settings: empty | settings sep | settings setting sep | settings error sep */
settings:
    %empty                      { $$ = (PtrVec){0}; }
  | settings sep
  | settings setting sep        { $$ = $1; vec_push(ps->cx->arena, &$$, $2); }
  | settings error sep          { yyerrok; $$ = $1; }
    ;

/* setting: IDENT '=' expr */
setting:
    IDENT '=' expr              { $$ = ast_kwarg(ps->cx, $1, @1, $3, @$); }
    ;

/* expr: expr ('+' | '-' | '*' | '/' | '@') expr | '-' expr | primary
 * '*', '/' and '@' bind tighter than '+' and '-'; all are left-associative; unary minus
 * binds tightest, so -x @ w is (-x) @ w. */
expr:
    expr '+' expr               { $$ = ast_binary(ps->cx, '+', $1, $3, @$); }
  | expr '-' expr               { $$ = ast_binary(ps->cx, '-', $1, $3, @$); }
  | expr '*' expr               { $$ = ast_binary(ps->cx, '*', $1, $3, @$); }
  | expr '/' expr               { $$ = ast_binary(ps->cx, '/', $1, $3, @$); }
  | expr '@' expr               { $$ = ast_binary(ps->cx, '@', $1, $3, @$); }
  | '-' expr %prec NEG          { $$ = ast_neg(ps->cx, $2, @$); }
  | primary
    ;

/* primary: NUMBER | STRING | IDENT | call | '[' items ']' | '(' expr ')'
 *        | primary '[' subscripts ']' */
primary:
    NUMBER                      { $$ = ast_num(ps->cx, $1, @1); }
  | STRING                      { $$ = ast_str(ps->cx, $1, @1); }
  | IDENT                       { $$ = ast_ident(ps->cx, $1, @1); }
  | call
  | '[' items ']'               { $$ = ast_list(ps->cx, $2, @$); }
  | '(' expr ')'                { $$ = $2; }
  | primary '[' subscripts ']'  { $$ = ast_index(ps->cx, $1, $3, @$); }
    ;

/* subscripts: subscript | subscripts ',' subscript */
subscripts:
    subscript                   { $$ = (PtrVec){0}; vec_push(ps->cx->arena, &$$, $1); }
  | subscripts ',' subscript    { $$ = $1; vec_push(ps->cx->arena, &$$, $3); }
    ;

/* subscript: expr | [expr] ':' [expr] */
subscript:
    expr
  | opt_expr ':' opt_expr       { $$ = ast_slice(ps->cx, $1, $3, @$); }
    ;

/* opt_expr: empty | expr */
opt_expr:
    %empty                      { $$ = NULL; }
  | expr
    ;

/* call: IDENT '(' args ')' */
call:
    IDENT '(' args ')'          { $$ = ast_call(ps->cx, $1, @1, $3, @$); }
    ;

/* args: empty | arg_list [','] */
args:
    %empty                      { $$ = (PtrVec){0}; }
  | arg_list opt_comma
    ;

/* arg_list: arg | arg_list ',' arg */
arg_list:
    arg                         { $$ = (PtrVec){0}; vec_push(ps->cx->arena, &$$, $1); }
  | arg_list ',' arg            { $$ = $1; vec_push(ps->cx->arena, &$$, $3); }
    ;

/* arg: expr | IDENT '=' expr | 'target' '=' expr
 * The reserved word 'target' names a setting too: csv("FILE", target = "COLUMN"). */
arg:
    expr
  | IDENT '=' expr              { $$ = ast_kwarg(ps->cx, $1, @1, $3, @$); }
  | TARGET '=' expr             { $$ = ast_kwarg(ps->cx, "target", @1, $3, @$); }
    ;

/* items: empty | item_list [','] */
items:
    %empty                      { $$ = (PtrVec){0}; }
  | item_list opt_comma
    ;

/* item_list: expr | item_list ',' expr */
item_list:
    expr                        { $$ = (PtrVec){0}; vec_push(ps->cx->arena, &$$, $1); }
  | item_list ',' expr          { $$ = $1; vec_push(ps->cx->arena, &$$, $3); }
    ;

%%

/* Bison's messages are already in our style ("syntax error, unexpected X, expecting Y").
 * The one exception is a full parser stack, which only deep nesting can cause.
 *
 * An error on a later line than an open ( or [ usually means a missing ')' or ']': newlines
 * were swallowed as spaces since then. The note shows where that bracket is, and forgetting
 * it lets the next newline end the statement, so that recovery does not swallow the rest of
 * the file. */
static void mlc_yyerror(MLC_YYLTYPE *lloc, void *scanner, ParseState *ps, const char *msg) {
    (void)scanner;
    if (strcmp(msg, "memory exhausted") == 0) {
        diag_error(ps->cx, *lloc, "expression is nested too deeply for the parser");
        return;
    }
    diag_error(ps->cx, *lloc, "%s", msg);
    if (ps->nesting > 0) {
        int line, col, open_line, open_col;
        diag_line_col(ps->cx, lloc->offset, &line, &col);
        diag_line_col(ps->cx, ps->outer_open.offset, &open_line, &open_col);
        if (line != open_line) {
            diag_note(ps->cx, ps->outer_open, "inside the '%c' opened here",
                      ps->cx->src[ps->outer_open.offset]);
            ps->nesting = 0;
        }
    }
}
