-- Questionnaires of projects (issue 5): definitions published as immutable versions, responses of
-- customers with one answer per question, and the indexes the statistics read.

CREATE TABLE questionnaires (
    group_id         uuid        NOT NULL REFERENCES groups (id),
    id               uuid        NOT NULL,
    project_id       uuid        NOT NULL,
    code             text        NOT NULL,
    -- The current version's title and type (a code of the questionnaire_types dictionary), for lists.
    title            text        NOT NULL,
    type             text        NOT NULL,
    current_version  integer     NOT NULL,
    -- Inactive questionnaires take no new responses; their versions and responses stay.
    active           boolean     NOT NULL DEFAULT true,
    -- Bumped by every change; the ETag.
    version          integer     NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, project_id) REFERENCES org_units (group_id, id),
    CONSTRAINT questionnaires_code_key UNIQUE (group_id, project_id, code),
    CONSTRAINT questionnaires_current_version_check CHECK (current_version >= 1)
);

-- Every published definition: {title, type, questions: [{key, kind, text, required, options, scale}]}.
-- Append-only: a new definition is a new version; answers keep pointing at the one they answered.
CREATE TABLE questionnaire_versions (
    group_id          uuid        NOT NULL REFERENCES groups (id),
    questionnaire_id  uuid        NOT NULL,
    number            integer     NOT NULL,
    definition        jsonb       NOT NULL,
    published_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    published_by      text        NOT NULL,
    PRIMARY KEY (group_id, questionnaire_id, number),
    FOREIGN KEY (group_id, questionnaire_id) REFERENCES questionnaires (group_id, id),
    CONSTRAINT questionnaire_versions_number_check CHECK (number >= 1)
);
CREATE TRIGGER questionnaire_versions_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON questionnaire_versions
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

-- The current version always exists (checked at commit: the questionnaire is written before its first version).
ALTER TABLE questionnaires ADD CONSTRAINT questionnaires_current_version_fkey
    FOREIGN KEY (group_id, id, current_version) REFERENCES questionnaire_versions (group_id, questionnaire_id, number)
    DEFERRABLE INITIALLY DEFERRED;

-- A customer's answers to one version of a questionnaire.
CREATE TABLE questionnaire_responses (
    group_id          uuid        NOT NULL REFERENCES groups (id),
    id                uuid        NOT NULL,
    questionnaire_id  uuid        NOT NULL,
    version           integer     NOT NULL,
    customer_id       uuid        NOT NULL,
    answered_at       timestamptz NOT NULL,
    recorded_by       uuid        NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, id),
    FOREIGN KEY (group_id, questionnaire_id, version) REFERENCES questionnaire_versions (group_id, questionnaire_id, number),
    FOREIGN KEY (group_id, customer_id) REFERENCES customers (group_id, id),
    FOREIGN KEY (group_id, recorded_by) REFERENCES users (group_id, id),
    -- What the answers repeat of their response (see questionnaire_answers).
    CONSTRAINT questionnaire_responses_answer_key UNIQUE (group_id, id, questionnaire_id, version, answered_at)
);
CREATE INDEX questionnaire_responses_customer ON questionnaire_responses (group_id, customer_id, answered_at, id);
CREATE INDEX questionnaire_responses_period ON questionnaire_responses (group_id, questionnaire_id, answered_at);

-- Responses are history: they never change (a merged customer's responses stay on its id; the
-- survivor reads them through customers.merged_into).
CREATE TRIGGER questionnaire_responses_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON questionnaire_responses
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

-- One answer per question of a response: the chosen option codes (choice questions), a rating or a
-- text. questionnaire_id, version and answered_at repeat the response's (the foreign key keeps them
-- equal) so that statistics read this table alone, through questionnaire_answers_statistics.
CREATE TABLE questionnaire_answers (
    group_id          uuid        NOT NULL REFERENCES groups (id),
    response_id       uuid        NOT NULL,
    questionnaire_id  uuid        NOT NULL,
    version           integer     NOT NULL,
    answered_at       timestamptz NOT NULL,
    question_key      text        NOT NULL,
    -- The question's place in its version (answers are shown in the definition's order) and its kind.
    position          integer     NOT NULL,
    kind              text        NOT NULL,
    option_codes      text[],
    rating            integer,
    text              text,
    PRIMARY KEY (group_id, response_id, question_key),
    FOREIGN KEY (group_id, response_id, questionnaire_id, version, answered_at)
        REFERENCES questionnaire_responses (group_id, id, questionnaire_id, version, answered_at),
    CONSTRAINT questionnaire_answers_kind_check CHECK (kind IN ('single_choice', 'multiple_choice', 'rating', 'free_text')),
    -- The kind decides the one value an answer has.
    CONSTRAINT questionnaire_answers_value_check CHECK (
        (kind IN ('single_choice', 'multiple_choice')) = (option_codes IS NOT NULL)
        AND (kind = 'rating') = (rating IS NOT NULL) AND (kind = 'free_text') = (text IS NOT NULL)
        AND (option_codes IS NULL OR cardinality(option_codes) >= 1)
        AND (kind <> 'single_choice' OR cardinality(option_codes) = 1))
);
CREATE INDEX questionnaire_answers_statistics ON questionnaire_answers (group_id, questionnaire_id, question_key, answered_at);
CREATE TRIGGER questionnaire_answers_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON questionnaire_answers
    FOR EACH STATEMENT EXECUTE FUNCTION estate_append_only();

ALTER TABLE questionnaires ENABLE ROW LEVEL SECURITY;
CREATE POLICY questionnaires_group ON questionnaires USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE questionnaire_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY questionnaire_versions_group ON questionnaire_versions USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE questionnaire_responses ENABLE ROW LEVEL SECURITY;
CREATE POLICY questionnaire_responses_group ON questionnaire_responses USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
ALTER TABLE questionnaire_answers ENABLE ROW LEVEL SECURITY;
CREATE POLICY questionnaire_answers_group ON questionnaire_answers USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());
