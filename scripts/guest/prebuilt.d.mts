export declare const FLAG_SETS: string[][];
export declare function prebuiltName(name: string, flags: string[]): string;
