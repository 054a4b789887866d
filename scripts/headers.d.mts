export declare const contentSecurityPolicy: string;
export declare const isolationHeaders: Record<string, string>;
