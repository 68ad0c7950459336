/**
 * A ref that gives the element the keyboard focus when it is first drawn: what `autoFocus` asks
 * for. The browser itself honours `autofocus` only while the page loads, so an editor or a question
 * drawn later needs the call. Being one function, it runs once per element, not on every render.
 */
export function focusOnMount(element: HTMLElement | null): void {
  element?.focus();
}
