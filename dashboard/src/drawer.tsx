import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal side panel: it takes focus when it opens, keeps Tab inside, closes on Escape or a click
 * beside it, and gives focus back to whatever had it before (the row or button that opened it).
 */
export function Drawer({ label, onClose, children }: { label: string; onClose: () => void; children: ComponentChildren }) {
  const panel = useRef<HTMLElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  // A layout effect: Escape and Tab work from the moment the panel is on screen, not a frame later.
  useLayoutEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    panel.current?.focus();
    function onKeyDown(event: KeyboardEvent): void {
      if (event.key === 'Escape') {
        event.preventDefault();
        close.current();
        return;
      }
      if (event.key !== 'Tab' || !panel.current) return;
      const inside = [...panel.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.checkVisibility());
      if (inside.length === 0) return event.preventDefault();
      const first = inside[0];
      const last = inside[inside.length - 1];
      const active = document.activeElement;
      if (event.shiftKey ? active === first || active === panel.current : active === last || !panel.current.contains(active)) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      }
    }
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <div class="drawer-layer">
      <div class="drawer-backdrop" onClick={() => close.current()} />
      <aside class="drawer" role="dialog" aria-modal="true" aria-label={label} tabIndex={-1} ref={panel}>
        {children}
      </aside>
    </div>
  );
}
