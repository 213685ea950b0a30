export declare const MIN_NODE_MAJOR: number;
export declare function nodeVersionProblem(app: string, version: string): string | undefined;
export declare function startApp(app: string, mainUrl: URL): Promise<void>;
