//! Command expressions: script text is code, values are data
//! ([`crate::command`]).

use pikt_lang::ast::Expr;
use pikt_lang::shell_syntax::{command_pieces, CommandPiece};

use super::Machine;
use crate::command::CommandLine;
use crate::error::{RunError, RunErrorKind, RunResult};

impl Machine<'_> {
    /// The command `e` stands for: its literal text as code, each value as
    /// data, `$shellcode(...)` as code.
    pub(super) fn eval_command(&mut self, e: &Expr) -> RunResult<CommandLine> {
        let mut line = CommandLine::new();
        let mut value = self.take_text();
        let result = self.build_command(e, &mut line, &mut value);
        self.give_text(value);
        result.map(|()| line)
    }

    fn build_command(
        &mut self,
        e: &Expr,
        line: &mut CommandLine,
        value: &mut String,
    ) -> RunResult<()> {
        for piece in command_pieces(e) {
            match piece {
                CommandPiece::Code(code) => line.code(code),
                CommandPiece::Spliced(inner) => {
                    value.clear();
                    self.eval_text(inner, value)?;
                    line.code(value);
                }
                CommandPiece::Data(inner) => {
                    value.clear();
                    self.eval_text(inner, value)?;
                    line.data(value).map_err(|refused| {
                        RunError::new(
                            RunErrorKind::DataInCommand {
                                reason: refused.to_string(),
                            },
                            inner.span,
                        )
                    })?;
                }
            }
        }
        Ok(())
    }
}
