// Automatic announcement of diagnostics (kokoro.announceDiagnostics), and audio
// synthesised ahead of time for the problem at the cursor.

import * as vscode from 'vscode';
import { Announcer, type AnnounceMode, type Clock } from '../diagnostics/announcer';
import { problemsAtCursor } from '../diagnostics/navigation';
import { describeProblems, type Severity } from '../diagnostics/wording';
import type { PunctuationLevel } from '../speech/speakable';
import { fileName, problemsOf } from './problems';

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface AnnounceSettings {
  mode: AnnounceMode;
  punctuation: PunctuationLevel;
  minSeverity: Severity;
  debounceMs: number;
}

/** What announcements need of the rest of the extension. */
export interface AnnouncementHost {
  /** Speaks an announcement when the user's own reading allows it. */
  announce(text: string): void;
  /** Synthesises spoken text into the audio cache ahead of time. */
  prefetch(text: string): Promise<number>;
  readonly punctuation: PunctuationLevel;
}

export class DiagnosticAnnouncements implements vscode.Disposable {
  private readonly announcer: Announcer;
  private readonly disposables: vscode.Disposable[] = [];
  /** Set once the user asked for a problem: from then on its audio is prepared ahead of time. */
  private problemCommandsUsed = false;

  constructor(
    private readonly host: AnnouncementHost,
    private settings: AnnounceSettings,
  ) {
    this.announcer = new Announcer({ ...settings, clock: realClock, speak: (u) => host.announce(u.text) });
    this.disposables.push(
      vscode.window.onDidChangeTextEditorSelection((e) => {
        // Moves made by commands (ours included) are not the user coming to rest on a line.
        if (e.kind !== vscode.TextEditorSelectionChangeKind.Keyboard && e.kind !== vscode.TextEditorSelectionChangeKind.Mouse) return;
        if (e.textEditor !== vscode.window.activeTextEditor) return;
        this.cursorMoved(e.textEditor);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.cursorMoved(editor)),
      vscode.languages.onDidChangeDiagnostics((e) => {
        const editor = vscode.window.activeTextEditor;
        if (!editor) return;
        const uri = editor.document.uri.toString();
        if (!e.uris.some((u) => u.toString() === uri)) return;
        this.announcer.problemsChanged(uri, problemsOf(editor.document.uri));
        this.prefetchAtCursor(editor);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.announcer.forget(doc.uri.toString())),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        // Diagnostics of a save arrive a moment later: wait for the language server.
        setTimeout(() => this.announcer.saved(doc.uri.toString(), fileName(doc.uri), problemsOf(doc.uri)), 750);
      }),
    );
  }

  update(settings: AnnounceSettings): void {
    this.settings = settings;
    this.announcer.setOptions(settings);
  }

  /** The user started a reading of their own: it takes priority over anything pending. */
  userReadStarted(): void {
    this.announcer.userReadStarted();
  }

  problemCommandUsed(): void {
    this.problemCommandsUsed = true;
  }

  private cursorMoved(editor: vscode.TextEditor): void {
    const { line, character } = editor.selection.active;
    this.announcer.cursorMoved(editor.document.uri.toString(), line, character, problemsOf(editor.document.uri));
  }

  private prefetchAtCursor(editor: vscode.TextEditor): void {
    if (this.settings.mode === 'off' && !this.problemCommandsUsed) return;
    const { line, character } = editor.selection.active;
    // The same words "Read Problem at Cursor" would say; an announcement shares their first sentences.
    const here = problemsAtCursor(problemsOf(editor.document.uri), line, character);
    if (here.length) void this.host.prefetch(describeProblems(here, { punctuation: this.host.punctuation }));
  }

  dispose(): void {
    this.announcer.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
