// Read Hover at Cursor and Read Last Command Output: what language servers say about a symbol,
// and what the last command in the terminal printed.

import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { type HoverPart, hoverToSpeech } from '../speech/hoverText';
import { summarizeCommandOutput } from '../speech/terminalOutput';
import type { Session } from '../vscode/session';
import type { TerminalWatch } from '../vscode/terminalWatch';

type Reads = Pick<Session, 'read' | 'config' | 'pronunciationsInEffect'>;

function hoverParts(hovers: readonly vscode.Hover[]): HoverPart[] {
  return hovers.flatMap((hover) =>
    hover.contents.map((content): HoverPart => {
      if (typeof content === 'string') return content;
      if (content instanceof vscode.MarkdownString) return content.value;
      return { language: content.language, value: content.value };
    }),
  );
}

export function readHoverAtCursor(session: Reads) {
  return async (): Promise<void> => {
    const startedAt = performance.now();
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Kokoro: open a file and put the cursor on a symbol to hear its hover.'));
      return;
    }
    const { document } = editor;
    const hovers =
      (await vscode.commands.executeCommand<vscode.Hover[] | undefined>(
        'vscode.executeHoverProvider',
        document.uri,
        editor.selection.active,
      )) ?? [];
    const text = hoverToSpeech(hoverParts(hovers), {
      punctuation: session.config.punctuation,
      pronunciations: session.pronunciationsInEffect,
      languageId: document.languageId,
    });
    if (!text) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Kokoro: there is no hover information at the cursor.'));
      return;
    }
    await session.read(text, { kind: 'spoken', startedAt, title: text });
  };
}

export function readLastCommandOutput(session: Reads, terminals: TerminalWatch) {
  let toldNoIntegration = false;
  return async (): Promise<void> => {
    const startedAt = performance.now();
    const last = terminals.last;
    if (!last) {
      if (!terminals.integrated && !toldNoIntegration) {
        toldNoIntegration = true;
        void vscode.window.showInformationMessage(
          vscode.l10n.t(
            'Kokoro: no command output to read: the terminal has no shell integration, so VS Code does not report its commands. It works in bash, zsh, fish and PowerShell terminals with terminal.integrated.shellIntegration.enabled.',
          ),
        );
      } else void vscode.window.showInformationMessage(vscode.l10n.t('Kokoro: no command has finished in a terminal yet.'));
      return;
    }
    const text = summarizeCommandOutput(last);
    await session.read(text, { kind: 'message', startedAt, title: text });
  };
}
