import type { Page, Site } from '../../lib/data';
import type { Strings } from '../../lib/strings';

export interface HeaderProps { site: Site; pages: Page[]; current: string | null; t: Strings }
