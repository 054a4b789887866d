export declare const DEBIAN_CHROMIUM: string;
export declare const SYSTEM_CHROMIUM_ARGS: string[];
export declare function findChromium(): {
  kind: 'env' | 'playwright' | 'debian';
  executablePath: string;
} | null;
export declare function chromiumLaunchOptions(): { executablePath?: string; args?: string[] };
