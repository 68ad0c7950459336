import type { KeyboardEvent } from 'react';
import { focusOnMount } from '../components/focus-on-mount.js';

export interface CellEditorProps {
  label: string;
  value: string;
  invalid: boolean;
  onChange: (value: string) => void;
  onKeyDown: (event: KeyboardEvent<HTMLInputElement>) => void;
  onBlur: () => void;
}

/** Characters past which the editor grows beyond its column (up to the width of the grid). */
const FITS = 18;

/**
 * The editor of a cell: over the cell, as wide as its column, and wider as the text grows (a long
 * address or note stays readable while it is typed).
 */
export function CellEditor(props: CellEditorProps) {
  const wide = props.value.length > FITS;
  return (
    <input
      ref={focusOnMount}
      className={`grid-editor${wide ? ' grid-editor--wide' : ''}`}
      style={wide ? { width: `min(${props.value.length + 4}ch, 36rem, 90vw)` } : undefined}
      aria-label={props.label}
      aria-invalid={props.invalid || undefined}
      aria-describedby="grid-message"
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
      onKeyDown={props.onKeyDown}
      onBlur={props.onBlur}
    />
  );
}
