-- Nothing to undo: rounded coordinates stay rounded.
SELECT 1;
